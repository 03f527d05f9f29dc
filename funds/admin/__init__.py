"""Officials' back office for village money, one module per part; every write goes
through funds.services."""

from funds.admin import (  # noqa: F401 - registers the admin classes
    ledger,
    monitoring,
    projects,
    vouchers,
)
