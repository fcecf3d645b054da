"""Imports every table so `Base.metadata` is complete (Alembic, tests)."""

from geo.attendance.models import AttendanceCheckIn, AttendanceDay
from geo.audit.models import AuditLog
from geo.calendar.models import CalendarDay
from geo.camera.models import Camera
from geo.core.db import Base
from geo.enterprise.models import Enterprise
from geo.event.models import Event, EventAction, EventCategory, EventNumber
from geo.event.photo_models import EventPhoto
from geo.file.models import StoredFile
from geo.grid.models import GridBoundary, GridMember
from geo.housing.models import Building, Street
from geo.open311.models import Open311Key, Open311Request
from geo.org.models import (
    AuthSession,
    Department,
    Hall,
    Role,
    RolePermission,
    ServiceCentre,
    ServiceWindow,
    Squad,
    UserAccount,
    UserRole,
    WindowStaff,
)
from geo.parameter.models import SystemParameter
from geo.party.models import PartySite
from geo.patrol.models import PatrolRoute
from geo.region.models import Region
from geo.site.models import ConstructionSite

__all__ = [
    "AttendanceCheckIn",
    "AttendanceDay",
    "AuditLog",
    "AuthSession",
    "Base",
    "Building",
    "CalendarDay",
    "Camera",
    "ConstructionSite",
    "Enterprise",
    "Department",
    "Event",
    "EventAction",
    "EventCategory",
    "EventNumber",
    "EventPhoto",
    "GridBoundary",
    "GridMember",
    "Hall",
    "Open311Key",
    "Open311Request",
    "PartySite",
    "PatrolRoute",
    "Region",
    "Role",
    "RolePermission",
    "ServiceCentre",
    "ServiceWindow",
    "Squad",
    "StoredFile",
    "Street",
    "SystemParameter",
    "UserAccount",
    "UserRole",
    "WindowStaff",
]
