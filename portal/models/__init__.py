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
from portal.models.security import (
    LoginThrottle,
    ThrottleScope,
    TotpDevice,
    TotpRecoveryCode,
)
from portal.models.system import WorkerHeartbeat
from portal.models.units import Sector, Unit, UnitKind

__all__ = [
    "AuditAction",
    "AuditEntry",
    "CalendarDay",
    "DayKind",
    "LoginThrottle",
    "Membership",
    "MembershipRole",
    "Region",
    "Residency",
    "ResidencyStatus",
    "Sector",
    "SupervisorScope",
    "ThrottleScope",
    "Tier",
    "TotpDevice",
    "TotpRecoveryCode",
    "Unit",
    "UnitKind",
    "User",
    "WorkdayYear",
    "WorkerHeartbeat",
]
