"""OGC API – Features paging: our endpoint vs. the keyset SQL under it vs. OFFSET paging."""

from __future__ import annotations

import httpx
from sqlalchemy import create_engine, text

from bench.common import median_ms, our_server
from geo.feature.query import FeatureQuery
from geo.feature.repository import items_statement
from geo.layers import LAYERS


def paging(url: str, limit: int, repeat: int) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
        # The cursor whose page is the table's last one.
        cursor = conn.execute(
            text("SELECT id FROM event ORDER BY id DESC OFFSET :n LIMIT 1"), {"n": limit}
        ).scalar_one()
    # The endpoint's own statement, and the same page fetched the OFFSET way for contrast.
    layer = LAYERS["events"]
    # The administrator's view: district-wide, so the same statement the endpoint runs.
    page = items_statement(layer, FeatureQuery(limit=limit, after_id=cursor), actor=None)
    offset = items_statement(layer, FeatureQuery(limit=limit), actor=None).offset(total - limit)
    server = our_server(url)
    with server, engine.connect() as conn, httpx.Client(headers=server.headers) as http:

        def endpoint(after: int | None) -> None:
            params = {"limit": limit, **({"cursor": after} if after else {})}
            r = http.get(f"{server.base}/collections/events/items", params=params)
            r.raise_for_status()

        results = {
            "events": total,
            "limit": limit,
            "endpoint_last_page": median_ms(lambda: endpoint(cursor), repeat),
            "endpoint_first_page": median_ms(lambda: endpoint(None), repeat),
            "sql_keyset_last_page": median_ms(lambda: conn.execute(page).all(), repeat),
            "sql_offset_last_page": median_ms(lambda: conn.execute(offset).all(), repeat),
        }
    engine.dispose()
    ep, kq, oq = (
        results[k]["p50_ms"]
        for k in ("endpoint_last_page", "sql_keyset_last_page", "sql_offset_last_page")
    )
    results["ratio_endpoint_vs_keyset_sql"] = round(ep / kq, 2)
    results["ratio_offset_sql_vs_keyset_sql"] = round(oq / kq, 2)
    return results
