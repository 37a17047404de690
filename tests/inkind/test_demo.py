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
    assert first[0] == 4 and first[1] == 3
    html = (await client.get("/h/palidzesim")).text
    assert "110 newborns → 300 diapers a day" in html
    assert "110 newborns → 300 bottles a day" in html
    assert 'href="/h/palidzesim/pledge"' in html
