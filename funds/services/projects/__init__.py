"""Every write of village special-fund projects (村级公共服务和社会管理专项资金).

proposed (with the village council's decision) → approved by the township office (立项)
→ implementing (from the first disbursement) → accepted (验收) → evaluated (群众评议, a
participation round) → closed by the township; or cancelled with a public reason before
any money is paid. Each stage reached is a ProjectStage row; the village publishes it as
a record of its standard catalog through the disclosure services.

Supervision "before, during, after" as rules that run, one module each:
- proposal: proposing, changing and approving; no approval without a recorded village
  decision, and never beyond the village's yearly allocation ("before");
- disbursements: money paid out, never above the budget whatever the concurrency
  ("during");
- completion: acceptance, public evaluation, rectification, closing and cancelling
  ("after");
- publication: stage records and documents.
What they share (input checks, the project's lock, permission and stage guards) is in
_common.

Permission refusals raise NotAllowed, a wrong stage Conflict, a broken rule DomainError,
bad input a ValidationError naming each field. Officials' actions are audited in the
same transaction. Callers import this package, not its modules.
"""

from funds.selectors.projects import special_part
from funds.services.projects._common import (
    CENT,
    MAX_AMOUNT,
    MAX_TEXT,
    RECORD_LANGUAGE,
    Errors,
    amount_of,
)
from funds.services.projects.completion import (
    MAX_CLOSING_NOTE,
    MAX_INSPECTORS,
    MAX_REASON,
    MAX_SUBJECT_NAME,
    acceptance_record,
    evaluation_start,
    project_cancel,
    project_close,
    rectification_answer,
    rectification_close,
    rectifications_scan,
)
from funds.services.projects.disbursements import (
    MAX_PAYEE,
    MAX_PURPOSE,
    PAYABLE_STAGES,
    disbursement_record,
)
from funds.services.projects.proposal import (
    COMMITTED_STAGES,
    DECISION_STATUSES,
    EDITABLE_FIELDS,
    MAX_NAME,
    YEARS,
    allocation_in_use,
    project_approve,
    project_create,
    project_update,
)
from funds.services.projects.publication import (
    DELIVERY_ITEM,
    MAX_DOCUMENT_TITLE,
    PROPOSAL_ITEM,
    PROPOSAL_STAGES,
    record_title,
    stage_document_add,
    stage_publish,
    stage_record_body,
)

__all__ = [
    "CENT",
    "COMMITTED_STAGES",
    "DECISION_STATUSES",
    "DELIVERY_ITEM",
    "EDITABLE_FIELDS",
    "MAX_AMOUNT",
    "MAX_CLOSING_NOTE",
    "MAX_DOCUMENT_TITLE",
    "MAX_INSPECTORS",
    "MAX_NAME",
    "MAX_PAYEE",
    "MAX_PURPOSE",
    "MAX_REASON",
    "MAX_SUBJECT_NAME",
    "MAX_TEXT",
    "PAYABLE_STAGES",
    "PROPOSAL_ITEM",
    "PROPOSAL_STAGES",
    "RECORD_LANGUAGE",
    "YEARS",
    "Errors",
    "acceptance_record",
    "allocation_in_use",
    "amount_of",
    "disbursement_record",
    "evaluation_start",
    "project_approve",
    "project_cancel",
    "project_close",
    "project_create",
    "project_update",
    "rectification_answer",
    "rectification_close",
    "rectifications_scan",
    "record_title",
    "special_part",
    "stage_document_add",
    "stage_publish",
    "stage_record_body",
]
