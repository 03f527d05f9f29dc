"""Every write of a request for information (依申请公开). Each step checks the current
status, appends an InfoRequestEvent the applicant sees, and writes an audit row (with no
personal data) in the same transaction. The due date is always recomputed from the
current facts through disclosure.requests.deadlines and stored with its provisional flag.

Status machine:
    pending (post, fax, in person) --receipt_register--> processing
    processing --correction_notice_send--> correction --correction_submit--> processing
    correction --corrections_lapse--> closed (OTHER_UNCORRECTED)
    processing --third_party_ask--> third_party --third_party_answer (last)--> processing
    processing / third_party --reply--> replied
    pending / processing / correction / third_party --withdraw--> closed (OTHER)

The applicant's steps are in applicant.py, the unit's in handling.py, the hourly scans in
scans.py, the fields' rules in validation.py; callers import them from here.
"""

from disclosure.requests.services.applicant import (
    correction_submit,
    info_request_submit,
    withdraw,
)
from disclosure.requests.services.common import (
    CLOCK_STATUSES,
    NOT_OURS,
    OPEN_STATUSES,
    REFUSAL_OUTCOMES,
    max_attachment_bytes,
    max_attachments,
    max_description_chars,
    recompute_due,
)
from disclosure.requests.services.handling import (
    correction_notice_send,
    extension_grant,
    receipt_register,
    reply,
    third_party_answer,
    third_party_ask,
)
from disclosure.requests.services.scans import corrections_lapse, third_party_waits_refresh
from disclosure.requests.services.validation import validate_org_code, validate_request

__all__ = [
    "CLOCK_STATUSES",
    "NOT_OURS",
    "OPEN_STATUSES",
    "REFUSAL_OUTCOMES",
    "correction_notice_send",
    "correction_submit",
    "corrections_lapse",
    "extension_grant",
    "info_request_submit",
    "max_attachment_bytes",
    "max_attachments",
    "max_description_chars",
    "receipt_register",
    "recompute_due",
    "reply",
    "third_party_answer",
    "third_party_ask",
    "third_party_waits_refresh",
    "validate_org_code",
    "validate_request",
    "withdraw",
]
