"""The donor wall shows what each gift is worth after refunds, as the total does."""

import re

from sqlalchemy import select

from app.donations.models import Donation
from tests.donations.factories import assert_totals_match_ledger
from tests.donations.test_pages import give_in_demo
from tests.factories import api_token, create_campaign, create_user


def wall_entries(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", entry)).strip()
        for entry in re.findall(r'<p class="gift-who">(.*?)</p>', html)
    ]


async def _refund(client, session, headers, thanks: str, amount_minor: int) -> None:
    reference = thanks.rsplit("/", 1)[1]
    donation = await session.scalar(select(Donation).where(Donation.reference == reference))
    response = await client.post(
        f"/api/v1/donations/{donation.id}/refunds",
        json={"amount_minor": amount_minor, "reason": "Gave twice"},
        headers=headers,
    )
    assert response.status_code == 201, response.text


async def test_partial_refunds_show_the_net_and_full_refunds_leave_the_wall(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner)
    headers = await api_token(session, owner)
    await give_in_demo(client, "50", donor_name="Jānis")
    partly = await give_in_demo(client, "100", donor_name="Ilze")
    refunded = await give_in_demo(client, "20", donor_name="Pēteris")
    assert wall_entries((await client.get("/h/palidzesim/donors")).text) == [
        "Pēteris · €20.00",
        "Ilze · €100.00",
        "Jānis · €50.00",
    ]

    await _refund(client, session, headers, partly, 3000)
    await _refund(client, session, headers, refunded, 2000)

    wall = (await client.get("/h/palidzesim/donors")).text
    assert wall_entries(wall) == ["Ilze · €70.00", "Jānis · €50.00"]
    assert "€120.00 raised" in wall  # the wall's gifts add up to the total above them
    assert await assert_totals_match_ledger(session, campaign.id) == (12_000, 2)
