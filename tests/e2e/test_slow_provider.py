"""A slow payment provider freezes nothing else: the checkout is called with no transaction
open, so writes by other people go through while donors wait for it (SQLite's single writer
lock and PostgreSQL's pooled connections are not held during the call)."""

import pytest

from scripts.bench_slow_provider import measure, seed
from tests.dbutil import sibling_database_url
from tests.donations.fake_stripe import SECRET_KEY, FakeStripe, serve
from tests.e2e.conftest import running_server
from tests.smtp import free_port


@pytest.fixture
def slow_stripe_server(migrated_database):
    # Long enough that 20 short writes fit in it even on a loaded machine; a held lock or
    # connection would still make every one of them wait for the provider.
    fake = FakeStripe(delay_seconds=8.0)
    stripe_server = serve(fake, free_port())
    database_url = sibling_database_url(migrated_database, "slowpay")
    env = {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_API_BASE": fake.url}
    try:
        with running_server(database_url, **env) as server:
            yield server
    finally:
        stripe_server.shutdown()


async def test_writes_go_through_while_the_provider_takes_seconds(slow_stripe_server):
    need_id = await seed(slow_stripe_server.database_url)
    result = await measure(slow_stripe_server.url, need_id, checkouts=3, writes=20)
    assert result.checkout_statuses == [201, 201, 201]
    assert result.write_statuses == [201] * 20
    # Ordering, not a stopwatch: had a checkout held the write lock or a connection, every
    # pledge would have waited for the provider's answer.
    assert result.writes_done_before_first_checkout == 20
