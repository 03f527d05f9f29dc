from portal.models.audit import AuditAction, AuditEntry
from portal.models.calendar import CalendarDay, DayKind, WorkdayYear
from portal.models.people import (
    Membership,
    MembershipRole,
    Residency,
    ResidencyStatus,
    SupervisorScope,
    User,
)
from portal.models.regions import Region, Tier
from portal.models.system import WorkerHeartbeat
from portal.models.units import Sector, Unit, UnitKind

__all__ = [
    "AuditAction",
    "AuditEntry",
    "CalendarDay",
    "DayKind",
    "Membership",
    "MembershipRole",
    "Region",
    "Residency",
    "ResidencyStatus",
    "Sector",
    "SupervisorScope",
    "Tier",
    "Unit",
    "UnitKind",
    "User",
    "WorkdayYear",
    "WorkerHeartbeat",
]
