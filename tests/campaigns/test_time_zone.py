"""Times are shown in the campaign's time zone, with its abbreviation."""

import re
from datetime import UTC, datetime

from app.campaigns.timezones import default_time_zone
from app.donations import service as donations
from app.formatting import format_datetime
from app.i18n import reset_locale, set_locale
from tests.factories import api_token, create_campaign, create_user, log_in, post_form

NEW = "/dashboard/campaigns/new"
FORM = {
    "hashtag": "zoned",
    "title": "Milk for the shelter",
    "beneficiary": "Riga infant shelter",
    "currency": "EUR",
}


def test_format_datetime_uses_the_zone_and_says_which():
    winter = datetime(2026, 11, 22, 14, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 22, 23, 5, tzinfo=UTC)
    assert format_datetime(winter, "Europe/Riga", "en") == "Nov 22, 2026, 4:05\u202fPM EET"
    assert format_datetime(summer, "Europe/Riga", "fr") == "23 juil. 2026, 02:05 EEST"
    assert format_datetime(winter, "Africa/Dakar", "fr") == "22 nov. 2026, 14:05 GMT"
    # A naive value is UTC as stored; an unknown zone falls back to UTC rather than failing.
    assert format_datetime(winter.replace(tzinfo=None), "Europe/Riga", "en").endswith("EET")
    assert format_datetime(winter, "Mars/Olympus", "en").endswith(" UTC")
    assert format_datetime(None, "Europe/Riga") == ""


def test_the_zone_is_guessed_from_a_city_in_the_place(monkeypatch):
    assert default_time_zone("Rīga, Latvia") == "Europe/Riga"
    assert default_time_zone("Dakar") == "Africa/Dakar"
    assert default_time_zone("Mbour, Senegal") == "UTC"
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "default_time_zone", "Africa/Dakar")
    assert default_time_zone("Mbour, Senegal") == "Africa/Dakar"


async def test_campaign_form_takes_a_valid_zone_and_explains_a_wrong_one(client, session):
    owner = await create_user(session)
    await log_in(client, owner.email)
    wrong = await post_form(client, NEW, {**FORM, "time_zone": "Europe/Atlantis"})
    assert wrong.status_code == 422
    assert re.search(r'id="f-time_zone-error">Choose a time zone from the list', wrong.text)
    assert 'value="Europe/Atlantis"' in wrong.text and 'value="Milk for the shelter"' in wrong.text
    assert '<option value="Europe/Riga">' in wrong.text

    guessed = await post_form(client, NEW, {**FORM, "place": "Riga, Latvia", "time_zone": ""})
    assert guessed.status_code == 303
    edit = (await client.get("/dashboard/c/zoned/edit")).text
    assert 'value="Europe/Riga"' in edit
    changed = await post_form(
        client, "/dashboard/c/zoned/edit", {**FORM, "place": "Riga", "time_zone": "Africa/Dakar"}
    )
    assert changed.status_code == 303
    assert 'value="Africa/Dakar"' in (await client.get("/dashboard/c/zoned/edit")).text


async def test_api_validates_and_changes_the_zone(client, session):
    owner = await create_user(session)
    headers = await api_token(session, owner)
    body = {**FORM, "hashtag": "apizone", "time_zone": "Not/AZone"}
    refused = await client.post("/api/v1/campaigns", json=body, headers=headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["time_zone"]
    created = await client.post(
        "/api/v1/campaigns", json={**body, "time_zone": "Asia/Tokyo"}, headers=headers
    )
    assert created.status_code == 201 and created.json()["time_zone"] == "Asia/Tokyo"
    patched = await client.patch(
        "/api/v1/campaigns/apizone", json={"time_zone": "Europe/Paris"}, headers=headers
    )
    assert patched.json()["time_zone"] == "Europe/Paris"


async def test_gift_times_are_shown_in_the_campaign_zone(client, session):
    owner = await create_user(session)
    campaign = await create_campaign(session, owner=owner, time_zone="Europe/Riga")
    gift = donations.GiftInput(2_000, donor_name="Līga")
    await donations.record_offline(session, campaign, owner, gift, "cash", None)
    wall = (await client.get("/h/palidzesim/donors")).text
    when = re.search(r"<time datetime=\"[^\"]+\">([^<]+)</time>", wall).group(1)
    assert re.search(r" EES?T$", when), when
    await log_in(client, owner.email)
    listing = (await client.get("/dashboard/c/palidzesim/donations")).text
    assert re.search(r"\d(\u202f[AP]M)? EES?T</td>", listing) and " UTC</td>" not in listing
    token = set_locale("fr")
    try:  # the visitor's language, the campaign's clock
        assert re.search(r"\d\d:\d\d EES?T$", format_datetime(datetime.now(UTC), "Europe/Riga"))
    finally:
        reset_locale(token)
