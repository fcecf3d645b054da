"""Column helpers shared by every spatial layer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, ColumnElement, DateTime, ForeignKey, Identity, Index, func
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import UserDefinedType

from geo.core.srid import STORAGE_SRID


def geom_column(geometry_type: str) -> Mapped:
    """A typed geometry column in the storage CRS; GeoAlchemy2 adds the GiST index."""
    return mapped_column(
        Geometry(geometry_type, srid=STORAGE_SRID, spatial_index=True), nullable=False
    )


def stored_point(lon: float, lat: float) -> ColumnElement[Any]:
    """A lon/lat position as a point of the storage CRS, in SQL (bound parameters)."""
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), STORAGE_SRID)


class IdMixin:
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class RegionLinkMixin:
    """The smallest region that holds the feature: what data scope (SYS-10) filters on."""

    @declared_attr
    def region_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(
            BigInteger, ForeignKey("region.id", ondelete="RESTRICT"), index=True, nullable=True
        )


class Ltree(UserDefinedType):
    """PostgreSQL ltree: a region's path of division codes, for subtree queries (`<@`)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "LTREE"


# Let reflection (Alembic's comparisons) recognise the column type.
ischema_names["ltree"] = Ltree


def trigram_index(table: str, column: str) -> Index:
    """A pg_trgm GIN index: makes `column ILIKE '%text%'` (the map's search box) indexed."""
    return Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )


def enum_check(column: str, values: type[StrEnum]) -> str:
    """The CHECK expression keeping `column` to the values of a StrEnum."""
    return f"{column} IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"
