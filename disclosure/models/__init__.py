from disclosure.models.audience import AudienceMembership
from disclosure.models.catalog import (
    CatalogItem,
    CatalogTemplate,
    Channel,
    ScheduleKind,
    Scope,
)
from disclosure.models.compliance import (
    LateRecord,
    PeriodOutcome,
    PeriodStatus,
    ReminderSent,
    UnitCompliance,
)
from disclosure.models.gazette import GazetteEntry, GazetteIssue
from disclosure.models.records import (
    Attachment,
    InterpretationForm,
    PublishingSetting,
    Record,
    RecordKind,
    RecordStatus,
    RecordVersion,
)

__all__ = [
    "Attachment",
    "AudienceMembership",
    "CatalogItem",
    "CatalogTemplate",
    "Channel",
    "GazetteEntry",
    "GazetteIssue",
    "InterpretationForm",
    "LateRecord",
    "PeriodOutcome",
    "PeriodStatus",
    "PublishingSetting",
    "Record",
    "RecordKind",
    "RecordStatus",
    "RecordVersion",
    "ReminderSent",
    "ScheduleKind",
    "Scope",
    "UnitCompliance",
]
