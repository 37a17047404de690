"""The donor's private page: quantities in packs or units (0 removes a line), day and time slot
moved with the ledger following, the same caps as a new pledge, cancelling after a confirmation
step that works without JavaScript."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.campaigns.models import Campaign
from app.db import utcnow
from app.inkind import ledger
from app.inkind.models import InkindEntry, Need, Pledge, PledgeStatus
from tests.factories import create_campaign, post_form
from tests.inkind.factories import create_need, create_point, create_slot, pledge


def today():
    return utcnow().date()


async def pledged(session, need_id: int, day) -> int:
    totals = await ledger.totals(session, [need_id], [day])
    return totals.get((need_id, day), ledger.Totals()).pledged


@dataclass(frozen=True)
class Ref:
    """Plain values of the pledge: a refused request expires the test's objects."""

    code: str
    token: str
    pledge_id: int
    campaign_id: int


async def setup(session, **need_fields):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign, **need_fields)
    milk = await create_need(
        session, campaign, item="Formula milk", unit="bottles", pack_label="box", pack_size=6
    )
    point = await create_point(session, campaign)
    result = await pledge(
        session, campaign, {diapers: 60, milk: 12}, today=today(), drop_off_point_id=point.id
    )
    ref = Ref(result.pledge.code, result.token, result.pledge.id, campaign.id)
    return ref, diapers.id, milk.id, point


async def change(client, ref: Ref, fields: dict):
    code, token = ref.code, ref.token
    page = f"/pledges/{code}?t={token}"
    return await post_form(client, f"/pledges/{code}/change", {"t": token, **fields}, page)


async def test_change_quantities_in_packs_and_a_zero_line_disappears(client, session):
    ref, diapers_id, milk_id, _point = await setup(session)
    page = await client.get(f"/pledges/{ref.code}?t={ref.token}")
    assert (
        f'name="units_{diapers_id}" type="number" inputmode="numeric" min="0" step="1" value="2"'
        in (page.text)
    )
    assert '<option value="pack" selected>pack of 30</option>' in page.text

    response = await change(client, ref, {
        f"units_{diapers_id}": "3", f"per_{diapers_id}": "pack",
        f"units_{milk_id}": "0", f"per_{milk_id}": "unit",
    })  # fmt: skip
    assert response.status_code == 303
    shown = await client.get(response.headers["location"])
    assert "Your pledge is updated. Removed: Formula milk." in shown.text
    assert "90 diapers (3 × pack of 30)" in shown.text and "bottles" not in shown.text
    row = await session.get(Pledge, ref.pledge_id, populate_existing=True)
    assert [(line.need_id, line.units) for line in row.lines] == [(diapers_id, 90)]
    assert await pledged(session, diapers_id, today()) == 90
    assert await pledged(session, milk_id, today()) == 0

    # More than the per-pledge maximum is refused next to the line, nothing written.
    entries = len(list(await session.scalars(select(InkindEntry.id))))
    response = await change(client, ref, {f"units_{diapers_id}": "120"})
    assert response.status_code == 422
    assert (
        f'id="f-units.{diapers_id}-error">At most 90 diapers per pledge. For more, contact the '
        "organizers."
    ) in response.text
    assert len(list(await session.scalars(select(InkindEntry.id)))) == entries


async def test_every_line_at_zero_asks_to_cancel_and_cancelling_is_confirmed(client, session):
    ref, diapers_id, milk_id, _point = await setup(session)
    code, token = ref.code, ref.token
    response = await change(client, ref, {f"units_{diapers_id}": "0", f"units_{milk_id}": "0"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/pledges/{code}/cancel?t={token}"
    step = await client.get(response.headers["location"])
    assert "You set every quantity to 0. Do you want to cancel your pledge?" in step.text
    assert f"Cancel pledge {code}?" in step.text and "Yes, cancel my pledge" in step.text
    row = await session.get(Pledge, ref.pledge_id, populate_existing=True)
    assert row.status == PledgeStatus.PLEDGED  # nothing changed yet
    assert await pledged(session, diapers_id, today()) == 60

    # The pledge page links to the same step (a page: no JavaScript needed); "No" keeps it.
    page = await client.get(f"/pledges/{code}?t={token}")
    assert f'href="/pledges/{code}/cancel?t={token}">Cancel my pledge</a>' in page.text
    assert f'href="/pledges/{code}?t={token}">No, keep it</a>' in step.text

    step_page = f"/pledges/{code}/cancel?t={token}"
    done = await post_form(client, f"/pledges/{code}/cancel", {"t": token}, step_page)
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert "Your pledge is cancelled. Thank you anyway!" in page.text
    assert "This pledge is cancelled. Nothing to bring." in page.text
    assert "Cancel my pledge" not in page.text and "Save changes" not in page.text
    assert await pledged(session, diapers_id, today()) == 0
    # The step page of a cancelled pledge leads back to it.
    again = await client.get(f"/pledges/{code}/cancel?t={token}")
    assert again.status_code == 303


async def test_moving_the_day_moves_the_pledged_units_under_the_caps(client, session):
    ref, diapers_id, milk_id, _point = await setup(session, policy="hard_cap")
    campaign_id = ref.campaign_id
    tomorrow, later = today() + timedelta(days=1), today() + timedelta(days=2)
    # Tomorrow is nearly covered by others: 60 more do not fit, the change writes nothing.
    campaign = await session.get(Campaign, campaign_id)
    need = await session.get(Need, diapers_id)
    need.max_per_pledge = 300  # the organizer's: one big pledge may take 270
    await pledge(session, campaign, {need: 270}, today=today(), due_on=tomorrow)
    response = await change(client, ref, {
        f"units_{diapers_id}": "2", f"per_{diapers_id}": "pack",
        f"units_{milk_id}": "12", "due_on": tomorrow.isoformat(),
    })  # fmt: skip
    assert response.status_code == 422
    assert "At most 30 on that day: the rest is already covered." in response.text
    assert await pledged(session, diapers_id, today()) == 60

    response = await change(client, ref, {
        f"units_{diapers_id}": "2", f"per_{diapers_id}": "pack",
        f"units_{milk_id}": "12", "due_on": later.isoformat(),
    })  # fmt: skip
    assert response.status_code == 303
    assert await pledged(session, diapers_id, today()) == 0
    assert await pledged(session, diapers_id, later) == 60
    assert await pledged(session, milk_id, later) == 12
    row = await session.get(Pledge, ref.pledge_id, populate_existing=True)
    assert row.due_on == later and row.hold_expires_at is None


async def test_a_full_slot_and_a_closed_day_are_refused_on_the_manage_page(client, session):
    ref, diapers_id, milk_id, point = await setup(session)
    campaign = await session.get(Campaign, ref.campaign_id)
    slot = await create_slot(session, point, day=today() + timedelta(days=1), capacity=1)
    taken = await create_slot(session, point, day=today() + timedelta(days=2), capacity=1)
    other = await create_need(session, campaign, item="Wipes", unit="packs", pack_size=None)
    await pledge(session, campaign, {other: 1}, today=today(), slot_id=taken.id)
    closed_day = today() + timedelta(days=3)
    point.open_weekdays = "".join(str(d) for d in range(1, 8) if d != closed_day.isoweekday())
    slot_id, taken_id, point_id = slot.id, taken.id, point.id
    base = {f"units_{diapers_id}": "2", f"per_{diapers_id}": "pack", f"units_{milk_id}": "12",
            "drop_off_point_id": str(point_id)}  # fmt: skip

    full = await change(client, ref, {**base, "slot_id": str(taken_id), "due_on": ""})
    assert full.status_code == 409 and "This time slot is full." in full.text
    closed = await change(client, ref, {**base, "slot_id": "", "due_on": closed_day.isoformat()})
    assert closed.status_code == 422 and "Riga shelter is closed on" in closed.text
    booked = await change(client, ref, {**base, "slot_id": str(slot_id), "due_on": ""})
    assert booked.status_code == 303
    row = await session.get(Pledge, ref.pledge_id, populate_existing=True)
    assert (row.slot_id, row.due_on) == (slot_id, today() + timedelta(days=1))
    # Moving within its own slot again does not count the pledge against itself.
    again = await change(client, ref, {**base, "slot_id": str(slot_id), "due_on": ""})
    assert again.status_code == 303
