"""The demo data `aidons demo` loads: campaigns from DESIGN.md with their real figures."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import User
from app.campaigns import service as campaigns
from app.campaigns.hashtags import hashtag_key
from app.campaigns.models import CampaignStatus, Hashtag
from app.campaigns.schemas import CampaignCreate
from app.db import utcnow
from app.inkind.demo import load_goods
from app.updates.demo import load_news

DEMO_EMAIL = "demo@aidons.example"
DEMO_PASSWORD = "palidzesim-riga-2012"

PALIDZESIM_STORY = """\
A shelter in Riga cares for **110 newborns**. Every day they need **300 diapers** and
**300 bottles of formula milk**.

In 2012 one tweet pointed to this page. 2,500 people tweeted #palidzesim, 194 influencers
carried it, and then came the part that counts: **3,500 people brought diapers, 680 brought
milk and 72 gave money**.

## How you can help

- Give money to the kitty: every euro buys milk and diapers for the shelter.
- Pledge goods (diapers size 1–2, formula milk) and drop them off at the shelter.
- Share #palidzesim: the page shows what really arrived, not how many likes we got.
"""

HELPCHALLENGE_STORY = """\
The baby shelter in Mbour, Senegal, looks after abandoned newborns. For every retweet or like
of #HelpChallenge, pledge a symbolic sum; the kitty goes to milk, diapers and care.

Goods are collected by phone and brought to the shelter by volunteers.
"""

LOVEARMY_STORY = """\
One video, 1.36 million followers: **50,000 contributors gave 1.5 million euros in 48 hours**
to fly food and water to Somalia, and 2.6 million euros in the end. Nominate your friends with
#NominatedForSomalia; field videos show where every euro went.
"""

DEMO_CAMPAIGNS = [
    {
        "hashtag": "palidzesim",
        "aliases": [],
        "title": "Diapers and milk for 110 newborns in Riga",
        "story": PALIDZESIM_STORY,
        "beneficiary": "Riga infant shelter (110 newborns)",
        "place": "Riga, Latvia",
        "time_zone": "Europe/Riga",
        "currency": "EUR",
        "goal_minor": 500_000,
    },
    {
        "hashtag": "HelpChallenge",
        "aliases": [],
        "title": "Milk and diapers for the Mbour baby shelter",
        "story": HELPCHALLENGE_STORY,
        "beneficiary": "Mbour baby shelter",
        "place": "Mbour, Senegal",
        "time_zone": "Africa/Dakar",
        "currency": "XOF",
        "goal_minor": 600_000,
    },
    {
        "hashtag": "LoveArmyForSomalia",
        "aliases": ["NominatedForSomalia"],
        "title": "Food and water for Somalia",
        "story": LOVEARMY_STORY,
        "beneficiary": "Families facing famine in Somalia",
        "place": "Somalia",
        "time_zone": "Africa/Mogadishu",
        "currency": "EUR",
        "goal_minor": 150_000_000,
    },
]


async def load_demo(session: AsyncSession) -> tuple[User, list[str]]:
    """Create the demo organizer and campaigns; what already exists is left as it is."""
    user = await accounts.get_user_by_email(session, DEMO_EMAIL)
    if user is None:
        user = User(
            email=DEMO_EMAIL,
            display_name="Demo organizer",
            password_hash=accounts.hash_password(DEMO_PASSWORD),
            email_verified_at=utcnow(),
        )
        session.add(user)
        await session.flush()
    created = []
    for spec in DEMO_CAMPAIGNS:
        exists = await session.scalar(
            select(Hashtag.id).where(Hashtag.tag_key == hashtag_key(spec["hashtag"]))
        )
        if exists:
            continue
        campaign = await campaigns.create_campaign(session, user, CampaignCreate(**spec))
        await campaigns.change_status(session, campaign, CampaignStatus.LIVE)
        created.append(spec["hashtag"])
    palidzesim, _hashtag = await campaigns.find_by_tag(session, "palidzesim")
    await load_goods(session, palidzesim, user, utcnow().date())
    await load_news(session, palidzesim, user, utcnow().date())
    return user, created
