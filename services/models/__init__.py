from services.models.approvals import (
    ApprovalMatter,
    CommitmentProject,
    CommitmentScheme,
    CommitmentStage,
    MatterType,
)
from services.models.guides import (
    GuideCategory,
    GuideMaterial,
    GuideStatus,
    GuideStep,
    MaterialForm,
    ServiceGuide,
    ServiceTier,
)
from services.models.proxy import ProxyEvent, ProxyRating, ProxyRequest, ProxyStatus

__all__ = [
    "ApprovalMatter",
    "CommitmentProject",
    "CommitmentScheme",
    "CommitmentStage",
    "GuideCategory",
    "GuideMaterial",
    "GuideStatus",
    "GuideStep",
    "MatterType",
    "MaterialForm",
    "ProxyEvent",
    "ProxyRating",
    "ProxyRequest",
    "ProxyStatus",
    "ServiceGuide",
    "ServiceTier",
]
