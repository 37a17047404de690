from datetime import date, timedelta

from sqlalchemy import func, select

from app.inkind import ledger
from app.inkind.models import InkindEntry
from app.updates.models import Expense
from tests.factories import api_token, create_campaign, create_user, csrf_token, log_in, post_form
from tests.inkind.factories import create_need, deliver

TODAY = date.today()


async def setup(session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, hashtag="palidzesim", goal_minor=500_000)
    milk = await create_need(
        session,
        campaign,
        item="Formula milk",
        unit="bottles",
        pack_size=None,
        pack_label="",
        per_day_units=300,
        starts_on=TODAY - timedelta(days=3),
    )
    return owner, campaign, milk, await api_token(session, owner)


async def spend(client, headers, **fields):
    body = {
        "amount_minor": 43_000,
        "currency": "EUR",
        "description": "300 bottles of formula milk",
        "spent_on": TODAY.isoformat(),
        **fields,
    }
    return await client.post("/api/v1/campaigns/palidzesim/expenses", json=body, headers=headers)


async def test_an_expense_that_bought_goods_counts_them_as_received(client, session):
    _owner, campaign, milk, headers = await setup(session)
    await client.post(
        "/api/v1/campaigns/palidzesim/donations/offline",
        json={"amount_minor": 125_000, "donor_name": "Cash box", "method": "cash"},
        headers=headers,
    )
    response = await spend(client, headers, need_id=milk.id, units=300)
    assert response.status_code == 201, response.text
    assert response.json()["goods"] == "300 bottles"

    progress = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    assert progress["spent_minor"] == 43_000 and progress["balance_minor"] == 82_000
    assert progress["outcomes"] == [
        {
            "item": "Formula milk",
            "unit": "bottles",
            "received": 300,
            "used": 0,
            "on_hand": 300,
            "days_covered": 1,
        }
    ]
    entries = list(
        await session.scalars(select(InkindEntry).where(InkindEntry.kind == "purchased"))
    )
    assert [(e.received_delta, e.day) for e in entries] == [(300, TODAY)]
    assert await ledger.cached_totals(session, campaign.id) == await ledger.totals_from_ledger(
        session, campaign.id
    )
    page = (await client.get("/h/palidzesim/progress")).text
    assert "Raised €1,250.00 · spent €430.00 · balance €820.00" in page
    assert "300 bottles of formula milk" in page and "300 bottles received" in page
    assert "1 day of need covered by what is on hand (300 a day)" in page


async def test_an_expense_for_goods_answers_without_the_need_already_loaded(client, session):
    # A server's session starts empty: the need the expense bought for is loaded by the request
    # itself and dropped when the service returns. Reading it again must not lazy-load (which
    # fails in async SQLAlchemy with MissingGreenlet, a 500).
    _owner, _campaign, milk, headers = await setup(session)
    milk_id = milk.id
    del milk
    session.expunge_all()
    response = await spend(client, headers, need_id=milk_id, units=300)
    assert response.status_code == 201, response.text
    assert response.json()["goods"] == "300 bottles"
    listed = (await client.get("/api/v1/campaigns/palidzesim/expenses")).json()
    assert listed[0]["goods"] == "300 bottles"


async def test_bad_expenses_are_refused_and_nothing_is_stored(client, session):
    _owner, _campaign, milk, headers = await setup(session)
    cases = [
        ({"currency": "USD"}, "currency"),
        ({"amount_minor": -500}, "amount"),
        ({"amount_minor": 0}, "amount"),
        ({"spent_on": (TODAY + timedelta(days=2)).isoformat()}, "spent_on"),
        ({"description": ""}, "description"),
        ({"need_id": milk.id}, "units"),
        ({"need_id": 999_999, "units": 5}, "need_id"),
    ]
    for fields, field in cases:
        response = await spend(client, headers, **fields)
        assert response.status_code == 422, (fields, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (fields, response.json())
    assert await session.scalar(select(func.count()).select_from(Expense)) == 0
    assert await session.scalar(select(func.count()).select_from(InkindEntry)) == 0


async def test_receipts_are_private_unless_made_public(client, session):
    _owner, _campaign, _milk, headers = await setup(session)
    private = (await spend(client, headers)).json()
    public = (await spend(client, headers, description="Diapers", receipt_public=True)).json()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    for expense in (private, public):
        attached = await client.post(
            f"/api/v1/campaigns/palidzesim/expenses/{expense['id']}/receipt",
            files={"receipt": ("receipt.pdf", pdf, "application/pdf")},
            headers=headers,
        )
        assert attached.status_code == 200, attached.text
    listed = {
        e["description"]: e
        for e in (await client.get("/api/v1/campaigns/palidzesim/expenses")).json()
    }
    assert listed["300 bottles of formula milk"]["receipt_url"] is None
    public_url = listed["Diapers"]["receipt_url"].removeprefix("http://testserver")
    served = await client.get(public_url)
    assert served.content == pdf and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-security-policy"].startswith("sandbox")
    hidden = await client.get(f"/h/palidzesim/expenses/{private['id']}/receipt")
    assert hidden.status_code == 404
    fake = await client.post(
        f"/api/v1/campaigns/palidzesim/expenses/{private['id']}/receipt",
        files={"receipt": ("r.jpg", b"hello", "image/jpeg")},
        headers=headers,
    )
    assert fake.status_code == 422


async def test_cancelling_an_expense_keeps_it_listed_and_takes_back_its_goods(client, session):
    owner, _campaign, milk, headers = await setup(session)
    expense = (await spend(client, headers, need_id=milk.id, units=300)).json()
    await log_in(client, owner.email)
    page = "/dashboard/c/palidzesim/expenses"
    refused = await post_form(
        client, f"{page}/{expense['id']}/void", {"reason": ""}, form_page=page
    )
    assert refused.status_code == 303
    await post_form(
        client, f"{page}/{expense['id']}/void", {"reason": "Entered twice"}, form_page=page
    )
    progress = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    assert progress["spent_minor"] == 0
    assert progress["outcomes"][0]["received"] == 0
    listed = (await client.get("/api/v1/campaigns/palidzesim/expenses")).json()
    assert listed[0]["voided"] is True and listed[0]["void_reason"] == "Entered twice"
    kinds = [e.kind for e in await session.scalars(select(InkindEntry).order_by(InkindEntry.id))]
    assert kinds == ["purchased", "correction"]  # nothing was erased


async def test_the_expense_form_keeps_input_and_stores_nothing_on_a_bad_receipt(client, session):
    owner, _campaign, _milk, _headers = await setup(session)
    await log_in(client, owner.email)
    page = "/dashboard/c/palidzesim/expenses"
    token = await csrf_token(client, page)
    response = await client.post(
        page,
        data={
            "csrf_token": token,
            "amount": "430,50",
            "description": "Formula milk",
            "spent_on": TODAY.isoformat(),
        },
        files={"receipt": ("receipt.jpg", b"not an image", "image/jpeg")},
    )
    assert response.status_code == 422
    assert "Upload a photo of the receipt or a PDF." in response.text
    assert 'value="Formula milk"' in response.text
    assert await session.scalar(select(func.count()).select_from(Expense)) == 0
    ok = await client.post(
        page,
        data={
            "csrf_token": token,
            "amount": "430,50",
            "description": "Formula milk",
            "spent_on": TODAY.isoformat(),
        },
    )
    assert ok.status_code == 303
    assert (await session.scalar(select(Expense))).amount_minor == 43_050


async def test_an_update_points_to_the_spending_and_deliveries_it_reports(client, session):
    owner, campaign, milk, headers = await setup(session)
    expense = (await spend(client, headers, need_id=milk.id, units=300, receipt_public=True)).json()
    delivery = await deliver(
        session,
        campaign,
        owner,
        today=TODAY,
        donor_name="Walk-in",
        lines=[{"need_id": milk.id, "accepted_units": 120}],
    )
    await session.commit()
    response = await client.post(
        "/api/v1/campaigns/palidzesim/updates",
        json={
            "title": "Milk for the week",
            "publish": True,
            "expense_ids": [expense["id"]],
            "delivery_ids": [
                delivery.delivery.id if hasattr(delivery, "delivery") else delivery.id
            ],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["expense_ids"] == [expense["id"]]
    page = (await client.get("/h/palidzesim/progress")).text
    assert "This update reports:" in page
    assert "€430.00 · 300 bottles of formula milk → 300 bottles" in page
    assert "120 bottles" in page

    other_owner = await create_user(session, email="other@example.org")
    await create_campaign(session, owner=other_owner, hashtag="other")
    other_headers = await api_token(session, other_owner)
    foreign = await client.post(
        "/api/v1/campaigns/other/updates",
        json={"title": "Not mine", "expense_ids": [expense["id"]]},
        headers=other_headers,
    )
    assert foreign.status_code == 422


async def test_huge_ids_and_numbers_get_clear_answers_not_errors(client, session):
    _owner, _campaign, _milk, headers = await setup(session)
    huge = "9" * 20
    assert (await client.get(f"/h/palidzesim/updates/{huge}")).status_code == 404
    assert (await client.get(f"/h/palidzesim/expenses/{huge}/receipt")).status_code == 404
    response = await spend(client, headers, need_id=int(huge), units=5)
    assert response.status_code == 422
    linked = await client.post(
        "/api/v1/campaigns/palidzesim/updates",
        json={"title": "Huge ids", "expense_ids": [int(huge)]},
        headers=headers,
    )
    assert linked.status_code == 422
    assert linked.json()["errors"][0]["field"].startswith("expense_ids")


async def test_the_expense_form_and_the_api_apply_the_same_rules(client, session):
    owner, _campaign, milk, _headers = await setup(session)
    owner_email, milk_id = owner.email, milk.id
    await log_in(client, owner_email)
    page = "/dashboard/c/palidzesim/expenses"
    base = {"amount": "430.50", "description": "Formula milk", "spent_on": TODAY.isoformat()}
    too_many = await post_form(client, page, {**base, "need_id": str(milk_id), "units": "20000000"})
    assert too_many.status_code == 422
    assert 'id="f-units-error"' in too_many.text and "Must be at most" in too_many.text
    assert await session.scalar(select(func.count()).select_from(Expense)) == 0
    bought = await post_form(client, page, {**base, "need_id": str(milk_id), "units": "300"})
    assert bought.status_code == 303
    progress = (await client.get("/api/v1/campaigns/palidzesim/progress")).json()
    assert progress["spent_minor"] == 43050 and progress["outcomes"][0]["received"] == 300
