"""The matrix's world is built once for this package, inside a transaction that is rolled
back when the package's tests end; each test runs in a savepoint inside it
(pytest-django's `db`), so a write a test lets through is undone before the next one.
The signed-in clients are made once too: a session per role, not one per test."""

import pytest
from django.db import transaction
from django.test import override_settings

from funds.chart import chart_load
from tests.permissions.makers import MAKERS
from tests.permissions.world import TARGETS, build_world

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    # The world's ~40 people are made with the fast hasher (tests/conftest.py sets it per
    # test, after a package fixture has run).
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            chart_load()
            built = build_world()
            for label, make in MAKERS.items():
                for key in TARGETS:
                    built.objects[label, key] = make(built, built.units[key])
            built.sign_in_everyone()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def w(world, db):
    return world


@pytest.fixture(autouse=True)
def chart_of_accounts(world):
    """tests/conftest.py puts the funds chart back before every test (a transactional
    test elsewhere may have emptied it); here it is loaded once with the world, and the
    ~2,000 matrix tests skip that insert."""
