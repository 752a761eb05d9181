"""Every table of the registry, imported in one place; :func:`registry.all_tables` adds harvesting's."""
from registry.accounts.models import ApiToken, LoginFailure, User
from registry.audit.models import AuditEvent
from registry.db import Base
from registry.departments.models import ClassificationNode, Department
from registry.evaluation.models import EvaluationSnapshot
from registry.links.models import LinkCheck
from registry.quality.models import QualityHistory, QualityScore
from registry.resources.models import CodeSequence, Resource
from registry.search.models import SearchOutbox
from registry.sharing.models import Notification, ShareGrant, ShareRequest

__all__ = ["ApiToken", "AuditEvent", "LoginFailure", "Base", "ClassificationNode", "CodeSequence", "Department",
           "EvaluationSnapshot", "LinkCheck", "Notification", "QualityHistory", "QualityScore", "Resource", "SearchOutbox", "ShareGrant", "ShareRequest",
           "User"]
