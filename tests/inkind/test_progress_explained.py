"""The progress page explains what could puzzle a visitor: a negative balance, 0 days covered."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.db import utcnow
from app.inkind import stock
from app.updates import expenses
from tests.factories import create_campaign
from tests.inkind.factories import create_need, deliver, volunteer

PAGE = "/h/palidzesim/progress"
NEGATIVE = "The balance is negative because more was spent than the online kitty raised"


def today():
    return utcnow().date()


def card(html: str, item: str) -> str:
    """One need's entry in the results list."""
    start = html.rindex('<li class="goods-outcome">', 0, html.index(f"{item} · 110 newborns"))
    return html[start : html.index("\n      </li>", start)]  # its own closing tag


async def test_a_negative_balance_says_the_money_came_from_elsewhere(client, session):
    campaign = await create_campaign(session)
    owner = await session.scalar(select(User).where(User.email == "owner-palidzesim@example.org"))
    page = (await client.get(PAGE)).text
    assert NEGATIVE not in page  # nothing spent: nothing to explain
    await expenses.record_expense(
        session, campaign, owner, amount_minor=12_000, currency="EUR",
        description="Formula milk from the pharmacy", spent_on=today(), today=today(),
    )  # fmt: skip
    page = (await client.get(PAGE, headers={"Cache-Control": "no-cache"})).text
    assert "balance -€120.00" in page or "balance −€120.00" in page
    assert page.count(NEGATIVE) == 1


async def test_zero_days_covered_says_why(client, session):
    campaign = await create_campaign(session)
    nothing = await create_need(session, campaign, item="Wipes", unit="packs", pack_size=None)
    used_up = await create_need(session, campaign, item="Diapers", unit="diapers")
    little = await create_need(session, campaign, item="Milk", unit="bottles", pack_size=None)
    ended = await create_need(
        session, campaign, item="Bibs", unit="bibs", pack_size=None,
        starts_on=today() - timedelta(days=30), ends_on=today() - timedelta(days=1),
    )  # fmt: skip
    helper = await volunteer(session, campaign)
    for need, units in ((used_up, 300), (little, 120), (ended, 50)):
        lines = [{"need_id": need.id, "accepted_units": units}]
        await deliver(session, campaign, helper, today(), lines=lines)
    use = stock.UseCreate(lines=[{"need_id": used_up.id, "units": 300}])
    await stock.record_use(session, campaign, helper, use, today())
    del nothing
    page = (await client.get(PAGE)).text
    expected = {
        "Wipes": "Nothing received yet, so nothing is on hand.",
        "Diapers": "Nothing on hand: everything received has been used or handed out.",
        "Milk": "Less than one day's need is on hand (120 of 300).",
        "Bibs": "No daily need at the moment: the need is outside its dates.",
    }
    for item, why in expected.items():
        assert page.count(why) == 1, why
        assert why in card(page, item), item
        assert "0 days of need covered" in card(page, item)
