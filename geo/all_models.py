"""Imports every table so `Base.metadata` is complete (Alembic, tests)."""

from geo.calendar.models import CalendarDay
from geo.camera.models import Camera
from geo.core.db import Base
from geo.enterprise.models import Enterprise
from geo.event.models import Event, EventCategory
from geo.housing.models import Building, Street
from geo.party.models import PartySite
from geo.patrol.models import PatrolRoute
from geo.region.models import Region
from geo.site.models import ConstructionSite

__all__ = [
    "Base",
    "Building",
    "CalendarDay",
    "Camera",
    "ConstructionSite",
    "Enterprise",
    "Event",
    "EventCategory",
    "PartySite",
    "PatrolRoute",
    "Region",
    "Street",
]
