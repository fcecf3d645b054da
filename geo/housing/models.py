"""Streets and buildings (人房: the road network and the housing stock)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    Identity,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index


class RoadClass(StrEnum):
    ARTERIAL = "arterial"  # 主干路
    SECONDARY = "secondary"  # 次干路
    BRANCH = "branch"  # 支路
    LANE = "lane"  # 街巷


class BuildingUse(StrEnum):
    RESIDENTIAL = "residential"  # 住宅
    COMMERCIAL = "commercial"  # 商业
    INDUSTRIAL = "industrial"  # 工业
    PUBLIC = "public"  # 公共服务
    MIXED = "mixed"  # 商住混合


class Street(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    """One street segment between two junctions: the edges a router walks."""

    __tablename__ = "street"
    __table_args__ = (
        trigram_index("street", "name"),
        CheckConstraint(
            "road_class IN ('arterial', 'secondary', 'branch', 'lane')", name="ck_street_class"
        ),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    road_class: Mapped[str] = mapped_column(String(16), nullable=False)
    length_m: Mapped[float] = mapped_column(Float, nullable=False)
    oneway: Mapped[bool] = mapped_column(default=False, nullable=False)
    # The junctions at its ends (street_node), kept by the trigger street_network_rebuild.
    source: Mapped[int | None] = mapped_column(BigInteger)
    target: Mapped[int | None] = mapped_column(BigInteger)
    geom: Mapped[object] = geom_column("LINESTRING")


class StreetNode(Base):
    """A junction or dead end of the street network (a routing graph's vertex). Rebuilt
    with every change of the streets, so its ids are not stable: never store them."""

    __tablename__ = "street_node"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, unique=True)
    geom: Mapped[object] = geom_column("POINT")


class Building(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "building"
    __table_args__ = (
        trigram_index("building", "name"),
        trigram_index("building", "address"),
        CheckConstraint(
            "use IN ('residential', 'commercial', 'industrial', 'public', 'mixed')",
            name="ck_building_use",
        ),
        CheckConstraint("floors BETWEEN 1 AND 200", name="ck_building_floors"),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    floors: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    use: Mapped[str] = mapped_column(String(16), nullable=False)
    built_year: Mapped[int | None] = mapped_column(Integer)
    geom: Mapped[object] = geom_column("MULTIPOLYGON")
