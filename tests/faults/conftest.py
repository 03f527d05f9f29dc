"""Fixtures of the fault tests: the mailbox's reminder people, the participation
village and the funds' accounting centre, reused from their apps' test packages."""

import pytest

from tests.faults.servers import PrivateRedis
from tests.funds.conftest import money  # noqa: F401
from tests.mailbox.conftest import reminder_people  # noqa: F401
from tests.participation.conftest import village  # noqa: F401


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    yield redis
    redis.stop()
