"""Donor and team pages: landing figures, pledge form, manage link, desk, invites, exports."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.db import utcnow
from app.inkind.models import InkindEntry, Pledge, PledgeStatus, VolunteerInvite
from tests.factories import create_campaign, create_user, csrf_token, log_in, post_form
from tests.inkind.factories import create_need, create_point, create_slot, pledge, volunteer


def today():
    return utcnow().date()


async def pledge_form_data(client, tag="palidzesim", **fields):
    page = await client.get(f"/h/{tag}/pledge")
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return {"csrf_token": token, "idempotency_key": key, "donor_name": "Līga", **fields}


async def count(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


async def test_landing_lists_needs_most_urgent_first_and_links_the_pledge_form(client, session):
    campaign = await create_campaign(session)
    await create_need(session, campaign, item="Baby blankets", unit="blankets", priority=3)
    diapers = await create_need(session, campaign, max_per_pledge=100)
    await pledge(session, campaign, {diapers: 100}, today=today())
    response = await client.get("/h/palidzesim")
    html = response.text
    assert response.headers["cache-control"].startswith("public")
    assert "set-cookie" not in response.headers
    assert html.index("Diapers, size 1") < html.index("Baby blankets")
    assert "110 newborns → 300 diapers a day" in html
    card = html[html.index(f'data-need-id="{diapers.id}"') :]
    assert re.search(r'class="fig-pledged">100 diapers', card)
    assert re.search(r'class="fig-missing">200 diapers', card)
    assert "Today and the days ahead" in card
    assert 'href="/h/palidzesim/pledge"' in html


async def test_pledge_form_creates_one_pledge_even_when_submitted_twice(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    point = await create_point(session, campaign)
    data = await pledge_form_data(
        client, **{f"qty_{diapers.id}": "2", f"per_{diapers.id}": "pack"},
        drop_off_point_id=str(point.id), due_on=today().isoformat(),
    )  # fmt: skip
    first = await client.post("/h/palidzesim/pledge", data=data)
    second = await client.post("/h/palidzesim/pledge", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await count(session, Pledge) == 1
    manage = await client.get(first.headers["location"])
    code = (await session.scalar(select(Pledge))).code
    assert manage.status_code == 200
    assert code in manage.text and "60 diapers (2 × pack of 30)" in manage.text
    assert "Riga shelter" in manage.text and "Mon–Sat 9:00–19:00" in manage.text
    assert manage.headers["cache-control"] == "private, no-store"


async def test_bad_pledges_re_render_the_form_and_write_nothing(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(
        session, campaign, policy="hard_cap", per_day_units=50, max_per_pledge=100
    )
    cases = [
        ({f"qty_{diapers.id}": "0"}, f"qty_{diapers.id}", "Must be at least 1."),
        ({f"qty_{diapers.id}": "-5"}, f"qty_{diapers.id}", "Must be at least 1."),
        ({f"qty_{diapers.id}": "lots"}, f"qty_{diapers.id}", "Must be a whole number."),
        ({}, "form", "Enter how much you will bring for at least one need."),
        (
            {f"qty_{diapers.id}": "51"},
            f"qty_{diapers.id}",
            "Only 50 diapers are still needed: pledge 50 or fewer.",
        ),
        ({f"qty_{diapers.id}": "5", "donor_email": "nope"}, "donor_email", "valid email"),
        ({f"qty_{diapers.id}": "5", "due_on": "2001-01-01"}, "due_on", "today or a later day"),
        ({f"qty_{diapers.id}": "5", "due_on": "9999-12-31"}, "due_on", "within the next year"),
    ]
    for fields, field, message in cases:
        data = await pledge_form_data(client, **fields)
        response = await client.post("/h/palidzesim/pledge", data=data)
        assert response.status_code in (409, 422), fields
        assert message in response.text, fields
        assert f'href="#f-{field}"' in response.text or field == "form"
        for value in fields.values():
            assert f'value="{value}"' in response.text  # what they typed is kept
    assert await count(session, Pledge) == 0
    assert await count(session, InkindEntry) == 0


async def test_full_slot_and_closed_campaign(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    point = await create_point(session, campaign)
    slot = await create_slot(session, point, day=today() + timedelta(days=1), capacity=1)
    await pledge(session, campaign, {diapers: 10}, today=today(), slot_id=slot.id)
    page = await client.get("/h/palidzesim/pledge")
    assert re.search(rf'<option value="{slot.id}"[^>]*disabled', page.text)
    data = await pledge_form_data(client, **{f"qty_{diapers.id}": "5"}, slot_id=str(slot.id))
    response = await client.post("/h/palidzesim/pledge", data=data)
    assert response.status_code == 409
    assert "This time slot is full. Choose another slot or day." in response.text
    assert await count(session, Pledge) == 1

    closed = await create_campaign(session, hashtag="HelpChallenge", status="closed")
    await create_need(session, closed)
    page = await client.get("/h/HelpChallenge/pledge")
    assert (
        "not accepting pledges" in page.text and '<form method="post" action="/h/' not in page.text
    )


async def test_donor_link_changes_and_cancels_and_a_wrong_token_is_refused(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    result = await pledge(session, campaign, {diapers: 60}, today=today())
    code, token, need_id = result.pledge.code, result.token, diapers.id
    assert (await client.get(f"/pledges/{code}?t=wrong")).status_code == 403
    assert (await client.get(f"/pledges/ZZZZZZ?t={token}")).status_code == 403
    page = f"/pledges/{code}?t={token}"
    response = await post_form(
        client, f"/pledges/{code}/change", {"t": token, f"units_{need_id}": "90"}, page
    )
    assert response.status_code == 303
    await session.refresh(result.pledge)
    assert result.pledge.lines[0].units == 90
    response = await post_form(
        client, f"/pledges/{code}/change", {"t": token, f"units_{need_id}": "-1"}, page
    )
    assert response.status_code == 422 and "Must be at least 0." in response.text
    response = await post_form(client, f"/pledges/{code}/cancel", {"t": "wrong"}, page)
    assert response.status_code == 403
    response = await post_form(client, f"/pledges/{code}/cancel", {"t": token}, page)
    assert response.status_code == 303
    await session.refresh(result.pledge)
    assert result.pledge.status == PledgeStatus.CANCELLED
    html = (await client.get(page)).text
    assert "cancelled" in html and "Cancel my pledge" not in html


async def test_volunteer_joins_by_link_and_logs_deliveries_at_the_desk(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    result = await pledge(
        session, campaign, {diapers: 60}, today=today(), donor_phone="+371 2000 0000"
    )
    # Plain values: a refused request rolls back, and the test's objects expire with it.
    code, diapers_id = result.pledge.code, diapers.id
    owner_email = "owner-palidzesim@example.org"
    await log_in(client, owner_email)
    response = await post_form(
        client, "/dashboard/c/palidzesim/goods/volunteers/invite", {},
        "/dashboard/c/palidzesim/goods/volunteers",
    )  # fmt: skip
    link = re.search(r'id="invite-url" type="url" value="([^"]+)"', response.text).group(1)
    path = link.removeprefix("http://testserver")
    await client.post("/logout", data={"csrf_token": await csrf_token(client, "/dashboard")})

    await create_user(session, email="janis@example.org", name="Jānis")
    await log_in(client, "janis@example.org")
    assert (await client.get("/dashboard/c/palidzesim/desk")).status_code == 403
    response = await post_form(client, path, {}, path)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/c/palidzesim/desk"

    found = await client.get("/dashboard/c/palidzesim/desk", params={"q": "līga"})
    assert code in found.text
    detail = await client.get(f"/dashboard/c/palidzesim/desk/p/{code}")
    assert "+371 2000 0000" in detail.text  # the team sees the donor's contact
    response = await post_form(
        client, f"/dashboard/c/palidzesim/desk/p/{code}/deliver",
        {f"accepted_{diapers_id}": "20", f"refused_{diapers_id}": "10",
         "idempotency_key": "partial-delivery-1"},
        f"/dashboard/c/palidzesim/desk/p/{code}",
    )  # fmt: skip
    assert response.status_code == 422 and "Say why units were refused." in response.text
    response = await post_form(
        client, f"/dashboard/c/palidzesim/desk/p/{code}/deliver",
        {f"accepted_{diapers_id}": "20", f"refused_{diapers_id}": "10",
         f"reason_{diapers_id}": "opened", "idempotency_key": "partial-delivery-1"},
        f"/dashboard/c/palidzesim/desk/p/{code}",
    )  # fmt: skip
    assert response.status_code == 303
    pledge_row = await session.scalar(select(Pledge).where(Pledge.code == code))
    assert pledge_row.status == PledgeStatus.PARTIALLY_RECEIVED
    response = await post_form(
        client, f"/dashboard/c/palidzesim/desk/p/{code}/confirm",
        {"idempotency_key": "confirm-1"}, "/dashboard/c/palidzesim/desk",
    )  # fmt: skip
    assert response.status_code == 303
    await session.refresh(pledge_row, ["status", "lines"])
    assert pledge_row.status == PledgeStatus.RECEIVED
    assert [(line.received_units, line.refused_units) for line in pledge_row.lines] == [(50, 10)]
    # The volunteer is not an organizer.
    assert (await client.get("/dashboard/c/palidzesim/goods")).status_code == 403


async def test_expired_invitation_is_refused(client, session):
    campaign = await create_campaign(session)
    from app.inkind import volunteers

    raw = await volunteers.create_invite(session, campaign, await create_user(session))
    invite = await session.scalar(select(VolunteerInvite))
    invite.expires_at = utcnow() - timedelta(minutes=1)
    await create_user(session, email="late@example.org")
    await log_in(client, "late@example.org")
    response = await client.get(f"/invite/{raw}")
    assert response.status_code == 410 and "expired" in response.text


async def test_organizer_manages_needs_points_and_exports_csv(client, session):
    campaign = await create_campaign(session)
    await log_in(client, "owner-palidzesim@example.org")
    base = "/dashboard/c/palidzesim/goods"
    response = await post_form(
        client, f"{base}/needs",
        {"item": "Formula milk", "unit": "bottles", "kind": "daily", "quantity": "300",
         "reason": "110 newborns", "priority": "1", "policy": "hard_cap"},
        base,
    )  # fmt: skip
    assert response.status_code == 303
    response = await post_form(
        client, f"{base}/needs", {"item": "Blankets", "unit": "blankets", "kind": "one_off"}, base
    )
    assert (
        response.status_code == 422 and "Say how many units are needed in total." in response.text
    )
    response = await post_form(
        client, f"{base}/points", {"name": "Shelter", "opening_hours": "9–18"}, f"{base}/points"
    )
    assert response.status_code == 303
    point = await create_point(session, campaign, name="Church")
    response = await post_form(
        client, f"{base}/points/{point.id}/slots",
        {"day": today().isoformat(), "starts_at": "12:00", "ends_at": "10:00"}, f"{base}/points",
    )  # fmt: skip
    assert response.status_code == 422 and "The slot must end after it starts." in response.text
    needs_page = await client.get(base)
    assert "110 newborns → 300 bottles a day" in needs_page.text
    milk_id = int(re.search(r"/goods/needs/(\d+)/active", needs_page.text).group(1))
    from app.inkind.models import Need

    milk = await session.get(Need, milk_id)
    await pledge(
        session, campaign, {milk: 12}, today=today(), donor_email="liga@example.org",
        donor_name="=HYPERLINK(evil)",
    )  # fmt: skip
    csv = await client.get(f"{base}/pledges.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "liga@example.org" in csv.text and "'=HYPERLINK(evil)" in csv.text
    assert (await client.get(f"{base}/deliveries.csv")).text.startswith("\ufeffentry,kind,day")
    edit = await client.get("/dashboard/c/palidzesim/edit")
    assert 'href="/dashboard/c/palidzesim/goods"' in edit.text


async def test_public_pages_never_show_donor_contact(client, session):
    campaign = await create_campaign(session)
    diapers = await create_need(session, campaign)
    await pledge(
        session, campaign, {diapers: 5}, today=today(),
        donor_email="private@example.org", donor_phone="+371 29999999",
    )  # fmt: skip
    for path in ("/h/palidzesim", "/h/palidzesim/pledge", "/api/v1/campaigns/palidzesim/needs",
                 "/api/v1/campaigns/palidzesim/progress"):  # fmt: skip
        text = (await client.get(path)).text
        assert "private@example.org" not in text and "29999999" not in text, path
    stranger = await volunteer(session, await create_campaign(session, hashtag="other"))
    assert stranger is not None


async def test_a_new_volunteer_signs_up_from_the_invitation_and_lands_on_the_desk(client, session):
    campaign = await create_campaign(session)
    from app.inkind import volunteers

    raw = await volunteers.create_invite(session, campaign, await create_user(session))
    response = await client.get(f"/invite/{raw}")
    assert response.status_code == 200 and f'href="/signup?invite={raw}"' in response.text
    response = await post_form(
        client, "/signup",
        {"email": "new@example.org", "password": "three hundred diapers a day",
         "display_name": "Inese", "invite": raw},
        f"/signup?invite={raw}",
    )  # fmt: skip
    assert response.headers["location"] == "/dashboard/c/palidzesim/desk"
    assert (await client.get("/dashboard/c/palidzesim/desk")).status_code == 200


async def test_a_correction_without_a_need_asks_for_the_need(client, session):
    campaign = await create_campaign(session)
    await create_need(session, campaign)
    await log_in(client, "owner-palidzesim@example.org")
    response = await post_form(
        client,
        "/dashboard/c/palidzesim/desk/correction",
        {"need_id": "", "received": "-20", "why": "Counted twice"},
        "/dashboard/c/palidzesim/desk",
    )
    assert response.status_code == 422
    assert "Choose the need to correct." in response.text
    assert await count(session, InkindEntry) == 0


async def test_desk_errors_show_under_the_field_to_fix(client, session):
    campaign = await create_campaign(session)
    diapers_id = (await create_need(session, campaign)).id
    await log_in(client, "owner-palidzesim@example.org")
    response = await post_form(
        client,
        "/dashboard/c/palidzesim/desk/walk-in",
        {f"accepted_{diapers_id}": "10", f"refused_{diapers_id}": "5"},
        "/dashboard/c/palidzesim/desk/walk-in",
    )
    assert response.status_code == 422
    assert f'id="f-reason_{diapers_id}-error">Say why units were refused.' in response.text
    assert await count(session, InkindEntry) == 0
