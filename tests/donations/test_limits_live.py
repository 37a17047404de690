"""The gift limits on a live server (uvicorn behind a trusted proxy): the crowd of a viral
campaign is all accepted, a card tester is stopped before the payment provider. The same steps
as scripts/bench_gift_starts.py, which reports the timings; here only the counts are checked."""

import asyncio

from scripts.bench_gift_starts import card_tester, crowd, stripe_env
from tests.dbutil import sibling_database_url
from tests.e2e.conftest import running_server


def test_300_addresses_are_all_accepted_and_50_declined_cards_stop_early(
    migrated_database, _stripe_server
):
    fake = _stripe_server
    fake.reset()
    database_url = sibling_database_url(migrated_database, "gift_limits")
    with running_server(database_url, **stripe_env(fake)) as server:
        server.cli("demo")
        viral = asyncio.run(crowd(server.url, fake, 300))
        assert viral.statuses == {201: 300}, viral.summary()
        assert viral.provider_calls == 300
        tester = asyncio.run(card_tester(server.url, fake, attempts=50))
    # The first few declines are what the server sees of the tester; then it asks for a
    # proof of work, and without one no checkout is opened.
    assert tester.statuses == {201: 5, 428: 45}, tester.summary()
    assert tester.provider_calls == 5
