"""Imports every table so `Base.metadata` is complete (Alembic, tests)."""

from geo.attendance.models import AttendanceCheckIn, AttendanceDay
from geo.audit.models import AuditLog
from geo.calendar.models import CalendarDay
from geo.camera.models import Camera
from geo.case.models import CaseRecord
from geo.core.db import Base
from geo.core.numbering import SerialNumber
from geo.enterprise.models import Enterprise
from geo.event.models import Event, EventAction, EventCategory, EventNumber
from geo.event.photo_models import EventPhoto
from geo.file.models import StoredFile
from geo.grid.models import GridBoundary, GridMember
from geo.housing.models import Building, Street, StreetNode
from geo.inspection.models import (
    AssignmentOfficer,
    AssignmentPhoto,
    BusinessLicence,
    CheckContent,
    CheckResult,
    DrawCandidate,
    DrawPick,
    EnforcementOfficer,
    EnterpriseSupervision,
    Expert,
    ExpertItem,
    InspectionAssignment,
    InspectionDraw,
    InspectionItem,
    InspectionItemCategory,
    InspectionTask,
    OfficerConflict,
    OfficerType,
    ResponsiblePerson,
    RiskListMove,
    SupervisionCategory,
)
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
from geo.party.models import PartyActivity, PartyMember, PartyOrganisation, PartySite
from geo.patrol.models import PatrolAssignment, PatrolCheckIn, PatrolPhoto, PatrolPlan, PatrolRoute
from geo.region.models import Region
from geo.site.models import ConstructionSite
from geo.task.models import EnforcementTask, TaskAction, TaskAttachment

__all__ = [
    "AssignmentOfficer",
    "AssignmentPhoto",
    "AttendanceCheckIn",
    "AttendanceDay",
    "AuditLog",
    "AuthSession",
    "Base",
    "Building",
    "BusinessLicence",
    "CalendarDay",
    "Camera",
    "CaseRecord",
    "CheckContent",
    "CheckResult",
    "ConstructionSite",
    "Department",
    "DrawCandidate",
    "DrawPick",
    "EnforcementOfficer",
    "EnforcementTask",
    "Enterprise",
    "EnterpriseSupervision",
    "Event",
    "EventAction",
    "EventCategory",
    "EventNumber",
    "EventPhoto",
    "Expert",
    "ExpertItem",
    "GridBoundary",
    "GridMember",
    "Hall",
    "InspectionAssignment",
    "InspectionDraw",
    "InspectionItem",
    "InspectionItemCategory",
    "InspectionTask",
    "OfficerConflict",
    "OfficerType",
    "Open311Key",
    "Open311Request",
    "PartyActivity",
    "PartyMember",
    "PartyOrganisation",
    "PartySite",
    "PatrolAssignment",
    "PatrolCheckIn",
    "PatrolPhoto",
    "PatrolPlan",
    "PatrolRoute",
    "Region",
    "ResponsiblePerson",
    "RiskListMove",
    "Role",
    "RolePermission",
    "SerialNumber",
    "ServiceCentre",
    "ServiceWindow",
    "Squad",
    "StoredFile",
    "Street",
    "StreetNode",
    "SupervisionCategory",
    "SystemParameter",
    "TaskAction",
    "TaskAttachment",
    "UserAccount",
    "UserRole",
    "WindowStaff",
]
