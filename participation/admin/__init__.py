"""Officials' back office for participation, one module per part; every write goes
through participation.services."""

from participation.admin import (  # noqa: F401 - registers the admin classes
    decisions,
    evaluations,
    mutual_aid,
    solicitations,
    votes,
)
