"""The drop-off desk shows each error once, next to the form (or field) it concerns."""

import re

from app.db import utcnow
from tests.factories import create_campaign, log_in, post_form
from tests.inkind.factories import create_need, deliver, pledge, volunteer

DESK = "/dashboard/c/palidzesim/desk"


def today():
    return utcnow().date()


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


async def test_a_refusal_without_reason_is_said_once_next_to_the_reason(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    code = (await pledge(session, campaign, {diapers: 60}, today=today())).pledge.code
    need_id = diapers.id
    await volunteer(session, campaign)
    await log_in(client, "vol@example.org")
    page = f"{DESK}/p/{code}"
    response = await post_form(
        client, f"{page}/deliver",
        {f"accepted_{need_id}": "30", f"refused_{need_id}": "30", "idempotency_key": "k-123456"},
        page,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.text.count("Say why units were refused.") == 1
    field = section(response.text, f'id="f-reason_{need_id}"', "</div>")
    assert "Say why units were refused." in field
    assert "Please fix the following" not in response.text  # no second copy in a summary
    assert 'value="30"' in response.text  # what was typed stays


async def test_an_empty_delivery_form_says_so_above_its_own_button(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    code = (await pledge(session, campaign, {diapers: 60}, today=today())).pledge.code
    await log_in(client, "owner-palidzesim@example.org")
    page = f"{DESK}/p/{code}"
    response = await post_form(client, f"{page}/deliver", {"idempotency_key": "k-1234567"}, page)
    assert response.status_code == 422
    assert response.text.count("Enter at least one quantity.") == 1
    record_form = section(response.text, f'action="{page}/deliver"', "</form>")
    assert "Enter at least one quantity." in record_form


async def test_walk_in_and_correction_errors_stay_in_their_own_form(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    need_id = diapers.id
    await log_in(client, "owner-palidzesim@example.org")
    walk_in = f"{DESK}/walk-in"
    empty = await post_form(client, walk_in, {"idempotency_key": "k-12345678"}, walk_in)
    assert empty.status_code == 422 and empty.text.count("Enter at least one quantity.") == 1
    gift_form = section(empty.text, f'action="{walk_in}"', "</form>")
    assert "Enter at least one quantity." in gift_form

    base = {"need_id": str(need_id), "day": today().isoformat()}
    for fields, message in [
        ({"received": "-5", "why": "x"}, "Say why, for the record."),
        ({"received": "-5", "why": "miscounted"}, "That would make the count negative."),
    ]:
        response = await post_form(client, f"{DESK}/correction", {**base, **fields}, walk_in)
        assert response.status_code == 422
        correction_form = section(response.text, f'action="{DESK}/correction"', "</form>")
        gift_form = section(response.text, f'action="{walk_in}"', "</form>")
        assert response.text.count(message) == 1, message
        assert message in correction_form and message not in gift_form
        assert 'value="-5"' in correction_form and 'value="-5"' not in gift_form


async def test_everything_arrived_twice_shows_why_on_the_pledge_page(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    code = (await pledge(session, campaign, {diapers: 60}, today=today())).pledge.code
    helper = await volunteer(session, campaign)
    await deliver(session, campaign, helper, today(), pledge_code=code, full=True)
    await log_in(client, "vol@example.org")
    page = f"{DESK}/p/{code}"
    response = await post_form(client, f"{page}/confirm", {"idempotency_key": "other-key"}, DESK)
    assert response.status_code == 409
    message = "Nothing is still expected on this pledge."
    assert response.text.count(message) == 1
    assert re.search(r'class="flash', response.text) is None  # not a second copy on top
