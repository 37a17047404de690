"""Plain factory functions for test data, and helpers that act like a browser or API client."""

import re

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import User
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.schemas import CampaignCreate

DEFAULT_PASSWORD = "a long and happy password"


async def create_user(
    session: AsyncSession,
    email: str = "organizer@example.org",
    password: str = DEFAULT_PASSWORD,
    name: str = "Anna Organizer",
) -> User:
    return await accounts.sign_up(session, email, password, name)


async def create_campaign(
    session: AsyncSession,
    owner: User | None = None,
    hashtag: str = "palidzesim",
    status: CampaignStatus = CampaignStatus.LIVE,
    **fields,
) -> Campaign:
    owner = owner or await create_user(session, email=f"owner-{hashtag.lower()}@example.org")
    data = {
        "hashtag": hashtag,
        "title": "Diapers and milk for 110 newborns",
        "story": "A shelter in Riga needs **300 diapers** a day.",
        "beneficiary": "Riga infant shelter",
        "place": "Riga, Latvia",
        "currency": "EUR",
        "goal_minor": 500_000,
        **fields,
    }
    campaign = await campaigns.create_campaign(session, owner, CampaignCreate(**data))
    if status != CampaignStatus.DRAFT:
        await campaigns.change_status(session, campaign, CampaignStatus.LIVE)
    if status in (CampaignStatus.PAUSED, CampaignStatus.CLOSED):
        await campaigns.change_status(session, campaign, status)
    return campaign


async def api_token(session: AsyncSession, user: User) -> dict[str, str]:
    raw = await accounts.create_api_token(session, user, "tests")
    return {"Authorization": f"Bearer {raw}"}


_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_token(client: AsyncClient, path: str = "/login") -> str:
    """Fetch a page with a form and read its CSRF token, as a browser would."""
    response = await client.get(path)
    match = _CSRF_RE.search(response.text)
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


async def post_form(client: AsyncClient, path: str, data: dict, form_page: str | None = None, **kw):
    token = await csrf_token(client, form_page or path)
    return await client.post(path, data={**data, "csrf_token": token}, **kw)


async def log_in(client: AsyncClient, email: str, password: str = DEFAULT_PASSWORD) -> None:
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
