"""The demo's inspection registers hold what a draw needs: every enterprise filed under a
supervision category, reachable by a team of two officers, with a responsible person."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import scalar


def test_every_enterprise_is_filed_under_a_supervision_category(demo_area, db) -> None:
    unfiled = scalar(
        db,
        """SELECT count(*) FROM enterprise e WHERE NOT EXISTS (
               SELECT 1 FROM enterprise_supervision s WHERE s.enterprise_id = e.id)""",
    )
    assert unfiled == 0


def test_every_enterprise_lies_in_the_areas_of_two_officers_free_of_conflict(demo_area, db) -> None:
    fewest = scalar(
        db,
        """SELECT min(n) FROM (
               SELECT count(o.id) AS n FROM enterprise e
               LEFT JOIN enforcement_officer o ON o.active AND ST_Covers(o.area, e.geom)
                   AND NOT EXISTS (SELECT 1 FROM officer_conflict c
                                   WHERE c.officer_id = o.id AND c.enterprise_id = e.id)
               GROUP BY e.id) counts""",
    )
    assert fewest is not None and fewest >= 2


def test_officer_areas_are_the_union_of_their_picked_communities(demo_area, db) -> None:
    mismatched = scalar(
        db,
        """SELECT count(*) FROM enforcement_officer o WHERE NOT ST_Equals(o.area,
               (SELECT ST_Union(r.geom) FROM region r WHERE r.id = ANY(o.area_region_ids)))""",
    )
    assert scalar(db, "SELECT count(*) FROM enforcement_officer") == 10
    assert mismatched == 0


def test_every_enterprise_has_a_responsible_person_on_a_mobile(demo_area, db) -> None:
    without = scalar(
        db,
        """SELECT count(*) FROM enterprise e WHERE NOT EXISTS (
               SELECT 1 FROM responsible_person p WHERE p.enterprise_id = e.id
               AND p.mobile ~ '^1[3-9][0-9]{9}$')""",
    )
    assert without == 0


def test_every_item_category_scores_a_check_list(demo_area, db) -> None:
    empty = scalar(
        db,
        """SELECT count(*) FROM inspection_item_category c WHERE NOT EXISTS (
               SELECT 1 FROM inspection_item i JOIN check_content k ON k.item_id = i.id
               WHERE i.category_id = c.id AND i.active)""",
    )
    assert scalar(db, "SELECT count(*) FROM inspection_item_category") == 3
    assert empty == 0


def test_list_weights_follow_the_streaks_of_the_default_rules(demo_area, db) -> None:
    # Objects inspected since (by other tests or scenarios) have a history of their own.
    off_rule = scalar(
        db,
        """SELECT count(*) FROM enterprise e
           WHERE NOT EXISTS (SELECT 1 FROM risk_list_move m WHERE m.enterprise_id = e.id)
           AND (abs(draw_weight - CASE risk_list
               WHEN 'red' THEN 1.0 - 0.1 * pass_streak
               WHEN 'black' THEN 1.0 + 0.2 * fail_streak ELSE 1.0 END) > 1e-9
           OR pass_streak >= 3 OR (fail_streak >= 2 AND risk_list <> 'black'))""",
    )
    assert off_rule == 0


def test_demo_patrols_and_matters_follow_their_rules(demo_area, db) -> None:
    outside = scalar(
        db,
        """SELECT count(*) FROM patrol_assignment a
           JOIN enterprise e ON e.id = a.enterprise_id
           JOIN enforcement_officer o ON o.user_id = a.officer_id
           WHERE NOT ST_Covers(o.area, e.geom)""",
    )
    special = scalar(
        db,
        """SELECT count(*) FROM patrol_assignment a JOIN patrol_plan p ON p.id = a.plan_id
           WHERE p.kind = 'special'""",
    )
    assert special and outside == 0
    converted = db.execute(
        text("""SELECT t.status, c.number FROM enforcement_task t
                JOIN case_record c ON c.id = t.case_id""")
    ).all()
    assert [r.status for r in converted] == ["converted"] and converted[0].number.startswith("AJ")
    # Each matter's history starts with its registration and ends in its status.
    off_track = scalar(
        db,
        """SELECT count(*) FROM enforcement_task t WHERE t.status <> (
               SELECT a.to_status FROM enforcement_task_action a
               WHERE a.task_id = t.id ORDER BY a.id DESC LIMIT 1)""",
    )
    assert off_track == 0
