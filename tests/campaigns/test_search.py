"""Finding a campaign by words or by its hashtag, from the home page and the API."""

import re

from app.campaigns.models import CampaignStatus
from app.campaigns.search import fold, query_words
from tests.factories import create_campaign

RIGA = {"title": "Autiņbiksītes un piens Rīgā", "place": "Rīga, Latvija"}
MBOUR = {"title": "Milk for Mbour", "place": "Mbour", "beneficiary": "Mbour baby shelter"}


def titles(html: str) -> list[str]:
    return re.findall(r'<li class="campaign-card">\s*<h2><a href="[^"]+">([^<]+)</a>', html)


def test_folding_ignores_case_and_accents():
    assert fold("Palīdzēsim") == fold("PALĪDZĒSIM") == fold("palidzesim") == "palidzesim"
    assert query_words("  #Palīdzēsim,  Rīga rīga ") == ["palidzesim", "riga"]


async def test_words_find_live_campaigns_whatever_the_case_and_accents(client, session):
    await create_campaign(session, hashtag="Palīdzēsim", beneficiary="Rīgas zīdaiņu nams", **RIGA)
    await create_campaign(session, hashtag="HelpChallenge", **MBOUR)
    await create_campaign(
        session, hashtag="hiddendraft", title="Piens draft", status=CampaignStatus.DRAFT
    )
    await create_campaign(
        session, hashtag="oldone", title="Piens closed", status=CampaignStatus.CLOSED
    )
    for query in ("piens", "PIENS rīgā", "riga", "zidainu", "palīdzēsim nams"):
        response = await client.get("/search", params={"q": query})
        assert response.status_code == 200, query
        assert titles(response.text) == ["Autiņbiksītes un piens Rīgā"], query
    # Every word must match; drafts and closed campaigns are not listed.
    nothing = await client.get("/search", params={"q": "piens mbour"})
    assert titles(nothing.text) == []
    assert "No campaign matches “piens mbour”" in nothing.text
    assert 'value="piens mbour"' in nothing.text  # the box keeps the query to change it


async def test_wildcards_are_plain_characters(client, session):
    await create_campaign(session, hashtag="percent", title="Milk for 100 babies")
    await create_campaign(session, hashtag="under_score", title="Diapers 100% covered")
    for query, expected in (("%", ["Diapers 100% covered"]), ("_", ["Diapers 100% covered"])):
        assert titles((await client.get("/search", params={"q": query})).text) == expected
    assert titles((await client.get("/search", params={"q": "\\"})).text) == []


async def test_an_exact_hashtag_goes_straight_to_its_page(client, session):
    await create_campaign(session, hashtag="Palīdzēsim", **RIGA)
    for query in ("#palīdzēsim", "PALĪDZĒSIM", " #Palīdzēsim "):
        response = await client.get("/search", params={"q": query})
        assert response.status_code == 303, query
        assert response.headers["location"] == "/h/Pal%C4%ABdz%C4%93sim"
    await create_campaign(session, hashtag="secretdraft", status=CampaignStatus.DRAFT)
    draft = await client.get("/search", params={"q": "#secretdraft"})
    assert draft.status_code == 200 and "No campaign matches" in draft.text
    empty = await client.get("/search", params={"q": "   "})
    assert empty.status_code == 303 and empty.headers["location"] == "/"


async def test_results_are_paginated(client, session):
    for n in range(14):
        await create_campaign(session, hashtag=f"milk{n:02d}", title=f"Milk run {n:02d}")
    first = await client.get("/search", params={"q": "milk run"})
    assert "14 live campaigns match “milk run”" in first.text
    assert len(titles(first.text)) == 12
    assert 'href="/search?q=milk%20run&amp;page=2" rel="next"' in first.text
    second = await client.get("/search", params={"q": "milk run", "page": 2})
    assert len(titles(second.text)) == 2
    assert set(titles(first.text)).isdisjoint(titles(second.text))
    assert (await client.get("/search", params={"q": "milk", "page": 0})).status_code == 422
    assert (await client.get("/search", params={"q": "x" * 501})).status_code == 422


async def test_the_home_page_box_searches(client, session):
    html = (await client.get("/")).text
    assert 'action="/search"' in html and 'name="q"' in html


async def test_api_lists_campaigns_matching_q(client, session):
    await create_campaign(session, hashtag="Palīdzēsim", **RIGA)
    await create_campaign(session, hashtag="HelpChallenge", **MBOUR)
    found = (await client.get("/api/v1/campaigns", params={"q": "PALIDZESIM"})).json()
    assert [c["hashtag"] for c in found["items"]] == ["Palīdzēsim"] and found["total"] == 1
    assert found["items"][0]["time_zone"] == "Europe/Riga"
    everything = (await client.get("/api/v1/campaigns")).json()
    assert everything["total"] == 2
    none = (await client.get("/api/v1/campaigns", params={"q": "%%"})).json()
    assert none["total"] == 0
    too_long = await client.get("/api/v1/campaigns", params={"q": "a" * 101})
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("application/problem+json")
