"""Administrative regions: district → town (street office) → community/village → grid.

One table for all levels: the hierarchy is the same kind of thing at every level (a named
polygon with a division code), and one `path` makes "everything under this region" a
single indexed test. The division code never changes once created (a trigger refuses it).
"""

from __future__ import annotations

from enum import StrEnum

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, Computed, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, Ltree, TimestampMixin, geom_column, trigram_index
from geo.core.srid import STORAGE_SRID


class RegionLevel(StrEnum):
    DISTRICT = "district"  # 区/县
    TOWN = "town"  # 镇/街道
    COMMUNITY = "community"  # 社区/村
    GRID = "grid"  # 网格

    @property
    def parent(self) -> RegionLevel | None:
        order = list(RegionLevel)
        i = order.index(self)
        return order[i - 1] if i else None

    @property
    def code_length(self) -> int:
        # 12-digit statistical division codes; a grid adds a 3-digit serial to its community.
        return 15 if self is RegionLevel.GRID else 12


LEVEL_LABELS = {
    RegionLevel.DISTRICT: "区县",
    RegionLevel.TOWN: "镇街",
    RegionLevel.COMMUNITY: "社区/村",
    RegionLevel.GRID: "网格",
}


class Region(IdMixin, TimestampMixin, Base):
    __tablename__ = "region"
    __table_args__ = (
        trigram_index("region", "name"),
        CheckConstraint(
            "level IN ('district', 'town', 'community', 'grid')", name="ck_region_level"
        ),
        CheckConstraint(
            "code ~ '^[0-9]{12}$' OR (level = 'grid' AND code ~ '^[0-9]{15}$')",
            name="ck_region_code_format",
        ),
        CheckConstraint("(level = 'district') = (parent_id IS NULL)", name="ck_region_parent"),
        Index("ix_region_path", "path", postgresql_using="gist"),
        Index("ix_region_level", "level"),
        Index("ix_region_label_point", "label_point", postgresql_using="gist"),
    )

    code: Mapped[str] = mapped_column(String(15), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), index=True
    )
    # Maintained by a trigger from the parent's path: district.town.community.grid codes.
    path: Mapped[str] = mapped_column(Ltree, nullable=False)
    geom: Mapped[object] = geom_column("MULTIPOLYGON")
    # Where the name is written on the map: the centre of the largest inscribed circle,
    # kept by the database (a generated column) so it always follows the outline.
    label_point: Mapped[object | None] = mapped_column(
        Geometry("POINT", srid=STORAGE_SRID, spatial_index=False),
        Computed("(ST_MaximumInscribedCircle(geom)).center", persisted=True),
    )
