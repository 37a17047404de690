"""The deliveries CSV adds up to what the public progress page says."""

import csv
import io
import re
from collections import defaultdict

from sqlalchemy import select

from app.accounts.models import User
from app.db import utcnow
from app.inkind import deliveries, stock
from app.updates import expenses
from tests.factories import create_campaign, log_in
from tests.inkind.factories import create_need, deliver, pledge, volunteer


def today():
    return utcnow().date()


async def test_deliveries_csv_sums_to_the_progress_page_per_need(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, max_per_pledge=150)
    blankets = await create_need(
        session, campaign, item="Baby blankets", unit="blankets", kind="one_off",
        target_units=200, per_day_units=None, pack_size=None,
    )  # fmt: skip
    helper = await volunteer(session, campaign)

    owner = await session.scalar(select(User).where(User.email == "owner-palidzesim@example.org"))
    promised = await pledge(session, campaign, {diapers: 120, blankets: 10}, today=today())
    # A partial delivery with refused units, then the rest; a walk-in; a correction.
    await deliver(
        session, campaign, helper, today(), pledge_code=promised.pledge.code,
        lines=[{"need_id": diapers.id, "accepted_units": 60, "refused_units": 30,
                "refusal_reason": "opened"}],
    )  # fmt: skip
    await deliver(session, campaign, helper, today(), pledge_code=promised.pledge.code, full=True)
    await deliver(
        session, campaign, helper, today(), donor_name="=cmd|' /C calc'!A0",
        lines=[{"need_id": diapers.id, "accepted_units": 90}],
    )  # fmt: skip
    await deliveries.correct(
        session, campaign, helper, diapers.id, today(), -20, 0, "counted twice"
    )
    # Goods bought with the kitty, and one purchase cancelled (its goods leave by a correction).
    await expenses.record_expense(
        session, campaign, owner, amount_minor=4_300, currency="EUR",
        description="Blankets from the market", spent_on=today(), need_id=blankets.id, units=25,
        today=today(),
    )  # fmt: skip
    wrong = await expenses.record_expense(
        session, campaign, owner, amount_minor=1_000, currency="EUR", description="Duplicate",
        spent_on=today(), need_id=blankets.id, units=5, today=today(),
    )  # fmt: skip
    await expenses.void_expense(session, wrong, owner, "entered twice")
    # Goods used, and a use corrected.
    used = stock.UseCreate(lines=[{"need_id": diapers.id, "units": 100}])
    await stock.record_use(session, campaign, helper, used, today())
    await deliveries.correct(
        session, campaign, helper, diapers.id, today(), 0, 0, "was 10 fewer", used=-10
    )

    await log_in(client, "owner-palidzesim@example.org")
    response = await client.get("/dashboard/c/palidzesim/goods/deliveries.csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    sums = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for column in ("received", "refused", "used"):
            sums[row["item"]][column] += int(row[column])
    progress = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    public = {o["item"]: o for o in progress["outcomes"]}
    for item in ("Diapers, size 1", "Baby blankets"):
        assert sums[item]["received"] == public[item]["received"], item
        assert sums[item]["used"] == public[item]["used"], item
    assert public["Diapers, size 1"]["received"] == 60 + 30 + 90 - 20  # the rest was 30
    assert public["Diapers, size 1"]["used"] == 90
    assert public["Baby blankets"]["received"] == 10 + 25
    page = (await client.get("/h/palidzesim/progress")).text
    assert "160 diapers received" in page and "35 blankets received" in page
    # Every kind of movement is there, with who recorded it.
    kinds = {row["kind"] for row in rows}
    assert kinds == {"received", "correction", "purchased", "used"}
    recorded_by = {row["kind"]: row["recorded_by"] for row in rows}
    assert recorded_by["received"] == "Jānis Volunteer"
    assert recorded_by["purchased"] == "Anna Organizer"
    refused = [row for row in rows if row["refused"] != "0"]
    assert [(r["refused"], r["refusal_reason"], r["pledge_code"]) for r in refused] == [
        ("30", "opened", promised.pledge.code)
    ]
    # Numbers stay numbers, text that looks like a formula stays text.
    assert any(row["received"] == "-20" for row in rows)
    assert any(row["donor_name"].startswith("'=cmd") for row in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["day"]) for row in rows)
