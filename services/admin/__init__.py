"""The officials' back office for the services app, one module per part."""

from services.admin import approvals, guides, proxy  # noqa: F401 - registers the ModelAdmins
