"""Spatial core: regions, streets, buildings, enterprises, sites, routes, events, cameras,
party sites (all geometries typed, SRID 4490, GiST-indexed).

Revision ID: da23add5148d
Revises: 
Create Date: 2026-11-28 21:21:52.986825
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry


class _Ltree(sa.types.UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "LTREE"


# Paths are derived from the parent; codes, levels and parents are fixed once created
# (moving a region would silently re-home everything recorded under it).
REGION_TRIGGER = """
CREATE FUNCTION region_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent region%ROWTYPE;
    expected text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.code IS DISTINCT FROM OLD.code THEN
            RAISE EXCEPTION '辖区编码 % 创建后不可修改', OLD.code
                USING ERRCODE = 'check_violation', HINT = 'region_code_immutable';
        END IF;
        IF NEW.level IS DISTINCT FROM OLD.level OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
            RAISE EXCEPTION '区划 % 的层级和上级区划不可修改', OLD.code
                USING ERRCODE = 'check_violation', HINT = 'region_parent_immutable';
        END IF;
        NEW.path := OLD.path;
        RETURN NEW;
    END IF;
    IF NEW.parent_id IS NULL THEN
        NEW.path := text2ltree(NEW.code);
        RETURN NEW;
    END IF;
    SELECT * INTO parent FROM region WHERE id = NEW.parent_id;
    expected := CASE NEW.level WHEN 'town' THEN 'district' WHEN 'community' THEN 'town'
                               WHEN 'grid' THEN 'community' END;
    IF parent.level IS DISTINCT FROM expected THEN
        RAISE EXCEPTION '区划 % 的上级必须是 % 级', NEW.code, expected
            USING ERRCODE = 'check_violation', HINT = 'region_parent_level';
    END IF;
    IF NEW.level = 'grid' AND left(NEW.code, 12) <> parent.code THEN
        RAISE EXCEPTION '网格编码 % 必须以所属社区编码 % 开头', NEW.code, parent.code
            USING ERRCODE = 'check_violation', HINT = 'grid_code_prefix';
    END IF;
    NEW.path := parent.path || text2ltree(NEW.code);
    RETURN NEW;
END $$;
CREATE TRIGGER region_before_write BEFORE INSERT OR UPDATE ON region
    FOR EACH ROW EXECUTE FUNCTION region_before_write();
"""

revision: str = 'da23add5148d'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Extensions need a superuser; `make db-up` creates them, this only checks.
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS ltree")
    op.create_table('event_category',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('parent_code', sa.String(length=16), nullable=True),
    sa.Column('default_days', sa.SmallInteger(), nullable=True),
    sa.Column('sort_order', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['event_category.code'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_geospatial_table('region',
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('path', _Ltree(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(level = 'district') = (parent_id IS NULL)", name='ck_region_parent'),
    sa.CheckConstraint("code ~ '^[0-9]{12}$' OR (level = 'grid' AND code ~ '^[0-9]{15}$')", name='ck_region_code_format'),
    sa.CheckConstraint("level IN ('district', 'town', 'community', 'grid')", name='ck_region_level'),
    sa.ForeignKeyConstraint(['parent_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_geospatial_index('idx_region_geom', 'region', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_region_level', 'region', ['level'], unique=False)
    op.create_index(op.f('ix_region_parent_id'), 'region', ['parent_id'], unique=False)
    op.create_index('ix_region_path', 'region', ['path'], unique=False, postgresql_using='gist')
    op.create_geospatial_table('building',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('floors', sa.SmallInteger(), nullable=False),
    sa.Column('use', sa.String(length=16), nullable=False),
    sa.Column('built_year', sa.Integer(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("use IN ('residential', 'commercial', 'industrial', 'public', 'mixed')", name='ck_building_use'),
    sa.CheckConstraint('floors BETWEEN 1 AND 200', name='ck_building_floors'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_building_geom', 'building', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_building_name'), 'building', ['name'], unique=False)
    op.create_index(op.f('ix_building_region_id'), 'building', ['region_id'], unique=False)
    op.create_geospatial_table('camera',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('stream_url', sa.String(length=500), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("kind IN ('dome', 'bullet', 'high_point')", name='ck_camera_kind'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_geospatial_index('idx_camera_geom', 'camera', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_camera_region_id'), 'camera', ['region_id'], unique=False)
    op.create_geospatial_table('construction_site',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('permit_no', sa.String(length=50), nullable=True),
    sa.Column('developer', sa.String(length=200), nullable=True),
    sa.Column('contractor', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('entrance', Geometry(geometry_type='POINT', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("status IN ('planned', 'active', 'suspended', 'completed')", name='ck_site_status'),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name='ck_site_dates'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_construction_site_entrance', 'construction_site', ['entrance'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_index('idx_construction_site_geom', 'construction_site', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_construction_site_name'), 'construction_site', ['name'], unique=False)
    op.create_index(op.f('ix_construction_site_region_id'), 'construction_site', ['region_id'], unique=False)
    op.create_geospatial_table('enterprise',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('legal_representative', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('risk_list', sa.String(length=8), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("category IN ('catering', 'hazardous_chemicals', 'construction', 'retail', 'manufacturing', 'logistics', 'accommodation', 'entertainment', 'auto_repair', 'healthcare')", name='ck_enterprise_category'),
    sa.CheckConstraint("risk_list IN ('red', 'white', 'black')", name='ck_enterprise_risk'),
    sa.CheckConstraint("uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'", name='ck_enterprise_uscc'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uscc')
    )
    op.create_geospatial_index('idx_enterprise_geom', 'enterprise', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_enterprise_category'), 'enterprise', ['category'], unique=False)
    op.create_index(op.f('ix_enterprise_name'), 'enterprise', ['name'], unique=False)
    op.create_index(op.f('ix_enterprise_region_id'), 'enterprise', ['region_id'], unique=False)
    op.create_geospatial_table('event',
    sa.Column('event_no', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('category_code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.SmallInteger(), nullable=False),
    sa.Column('urgency', sa.SmallInteger(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('reporter_name', sa.String(length=50), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("source IN ('grid_member', 'hotline', 'camera', 'public', 'patrol')", name='ck_event_source'),
    sa.CheckConstraint("status IN ('reported', 'dispatched', 'handling', 'to_close', 'closed', 'cancelled')", name='ck_event_status'),
    sa.CheckConstraint('closed_at IS NULL OR closed_at >= reported_at', name='ck_event_closed'),
    sa.CheckConstraint('severity BETWEEN 1 AND 3', name='ck_event_severity'),
    sa.CheckConstraint('urgency BETWEEN 1 AND 3', name='ck_event_urgency'),
    sa.ForeignKeyConstraint(['category_code'], ['event_category.code'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_no')
    )
    op.create_geospatial_index('idx_event_geom', 'event', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_event_category_code'), 'event', ['category_code'], unique=False)
    op.create_index(op.f('ix_event_region_id'), 'event', ['region_id'], unique=False)
    op.create_index('ix_event_reported_at', 'event', ['reported_at'], unique=False)
    op.create_index('ix_event_status', 'event', ['status'], unique=False)
    op.create_geospatial_table('party_site',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("kind IN ('service_centre', 'activity_room', 'practice_station', 'pioneer_post')", name='ck_party_site_kind'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_party_site_geom', 'party_site', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_party_site_region_id'), 'party_site', ['region_id'], unique=False)
    op.create_geospatial_table('patrol_route',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='LINESTRING', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("kind IN ('daily', 'special')", name='ck_patrol_route_kind'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_patrol_route_geom', 'patrol_route', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_patrol_route_region_id'), 'patrol_route', ['region_id'], unique=False)
    op.create_geospatial_table('street',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('road_class', sa.String(length=16), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('oneway', sa.Boolean(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='LINESTRING', srid=4490, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('region_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("road_class IN ('arterial', 'secondary', 'branch', 'lane')", name='ck_street_class'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_street_geom', 'street', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_street_name'), 'street', ['name'], unique=False)
    op.create_index(op.f('ix_street_region_id'), 'street', ['region_id'], unique=False)
    op.execute(REGION_TRIGGER)
    _insert_event_categories()


# GB/T 30428.2-style dictionary: (code, name, parent, default working days).
EVENT_CATEGORIES: list[tuple[str, str, str | None, int | None]] = [
    ("01", "市容环境", None, None),
    ("0101", "暴露垃圾", "01", 1),
    ("0102", "积存垃圾渣土", "01", 2),
    ("0103", "道路不洁", "01", 1),
    ("0104", "水域不洁", "01", 3),
    ("0105", "违规焚烧", "01", 1),
    ("02", "宣传广告", None, None),
    ("0201", "非法小广告", "02", 2),
    ("0202", "违规户外广告", "02", 5),
    ("03", "施工管理", None, None),
    ("0301", "施工扰民", "03", 2),
    ("0302", "工地扬尘", "03", 2),
    ("0303", "道路遗撒", "03", 1),
    ("0304", "违法建设", "03", 10),
    ("04", "街面秩序", None, None),
    ("0401", "占道经营", "04", 1),
    ("0402", "店外经营", "04", 1),
    ("0403", "无照经营游商", "04", 1),
    ("0404", "乱停放非机动车", "04", 1),
    ("0405", "露天烧烤", "04", 1),
    ("05", "市政公用设施", None, None),
    ("0501", "井盖缺失破损", "05", 1),
    ("0502", "路灯损坏", "05", 3),
    ("0503", "道路破损", "05", 5),
    ("0504", "雨水口堵塞", "05", 2),
    ("06", "园林绿化", None, None),
    ("0601", "绿地脏乱", "06", 2),
    ("0602", "树木倒伏", "06", 1),
    ("0603", "毁绿占绿", "06", 5),
    ("07", "安全隐患", None, None),
    ("0701", "消防通道堵塞", "07", 1),
    ("0702", "危化品违规存放", "07", 1),
    ("0703", "电动车违规充电", "07", 1),
    ("0704", "燃气安全隐患", "07", 1),
    ("08", "社会事务", None, None),
    ("0801", "邻里纠纷", "08", 5),
    ("0802", "噪声扰民", "08", 2),
    ("0803", "群租房", "08", 5),
]


def _insert_event_categories() -> None:
    table = sa.table(
        "event_category",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("parent_code", sa.String),
        sa.column("default_days", sa.SmallInteger),
        sa.column("sort_order", sa.SmallInteger),
    )
    op.bulk_insert(
        table,
        [
            {"code": c, "name": n, "parent_code": p, "default_days": d, "sort_order": i}
            for i, (c, n, p, d) in enumerate(EVENT_CATEGORIES)
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_street_region_id'), table_name='street')
    op.drop_index(op.f('ix_street_name'), table_name='street')
    op.drop_geospatial_index('idx_street_geom', table_name='street', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('street')
    op.drop_index(op.f('ix_patrol_route_region_id'), table_name='patrol_route')
    op.drop_geospatial_index('idx_patrol_route_geom', table_name='patrol_route', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('patrol_route')
    op.drop_index(op.f('ix_party_site_region_id'), table_name='party_site')
    op.drop_geospatial_index('idx_party_site_geom', table_name='party_site', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('party_site')
    op.drop_index('ix_event_status', table_name='event')
    op.drop_index('ix_event_reported_at', table_name='event')
    op.drop_index(op.f('ix_event_region_id'), table_name='event')
    op.drop_index(op.f('ix_event_category_code'), table_name='event')
    op.drop_geospatial_index('idx_event_geom', table_name='event', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('event')
    op.drop_index(op.f('ix_enterprise_region_id'), table_name='enterprise')
    op.drop_index(op.f('ix_enterprise_name'), table_name='enterprise')
    op.drop_index(op.f('ix_enterprise_category'), table_name='enterprise')
    op.drop_geospatial_index('idx_enterprise_geom', table_name='enterprise', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('enterprise')
    op.drop_index(op.f('ix_construction_site_region_id'), table_name='construction_site')
    op.drop_index(op.f('ix_construction_site_name'), table_name='construction_site')
    op.drop_geospatial_index('idx_construction_site_geom', table_name='construction_site', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_index('idx_construction_site_entrance', table_name='construction_site', postgresql_using='gist', column_name='entrance')
    op.drop_geospatial_table('construction_site')
    op.drop_index(op.f('ix_camera_region_id'), table_name='camera')
    op.drop_geospatial_index('idx_camera_geom', table_name='camera', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('camera')
    op.drop_index(op.f('ix_building_region_id'), table_name='building')
    op.drop_index(op.f('ix_building_name'), table_name='building')
    op.drop_geospatial_index('idx_building_geom', table_name='building', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('building')
    op.drop_index('ix_region_path', table_name='region', postgresql_using='gist')
    op.drop_index(op.f('ix_region_parent_id'), table_name='region')
    op.drop_index('ix_region_level', table_name='region')
    op.drop_geospatial_index('idx_region_geom', table_name='region', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('region')
    op.drop_table('event_category')
    op.execute("DROP FUNCTION IF EXISTS region_before_write()")
