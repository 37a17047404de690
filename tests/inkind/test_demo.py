from sqlalchemy import func, select

from app.demo import load_demo
from app.inkind.models import Delivery, InkindEntry, Pledge


async def counts(session) -> list[int]:
    return [
        await session.scalar(select(func.count()).select_from(model))
        for model in (Pledge, Delivery, InkindEntry)
    ]


async def test_demo_gives_palidzesim_its_daily_needs_once(client, session):
    await load_demo(session)
    first = await counts(session)
    await load_demo(session)
    assert await counts(session) == first
    assert first[0] == 4 and first[1] == 4
    html = (await client.get("/h/palidzesim")).text
    assert "110 newborns → 300 diapers a day" in html
    assert "110 newborns → 300 bottles a day" in html
    assert 'href="/h/palidzesim/pledge"' in html


async def test_demo_shows_goods_received_used_and_on_hand(client, session):
    await load_demo(session)
    page = (await client.get("/h/palidzesim/progress")).text
    # Diapers: 120 + 30 + 90 + 600 received, 300 + 240 used: 300 on hand, one day at 300 a day.
    assert "840 diapers received" in page
    assert "540 diapers used or handed out" in page and "300 diapers on hand" in page
    assert "1 day of need covered by what is on hand (300 a day)" in page
    # Milk: 18 brought, 300 bought with the kitty, 12 used.
    assert "318 bottles received" in page and "306 bottles on hand" in page
