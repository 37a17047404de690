"""#palidzesim's money, spending and field news for `aidons demo`, added once."""

from datetime import date
from io import BytesIO

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.donations import service as donations
from app.inkind.models import Delivery, Item, Need
from app.updates import expenses, service
from app.updates.models import FieldUpdate
from app.updates.share import load_font

OFFLINE_GIFTS = [
    ("Cash box at the Rimi entrance", 18_000, "cash"),
    ("Rīga Lions Club", 50_000, "bank_transfer"),
    ("Parents of the 2012 class", 25_000, "bank_transfer"),
]


def _picture(text: str, colour: str) -> bytes:
    """A simple illustrative photo (boxes on a shelf) for the demo."""
    image = Image.new("RGB", (1200, 800), "#f4efe6")
    draw = ImageDraw.Draw(image)
    for row in range(3):
        for column in range(5):
            x, y = 80 + column * 210, 120 + row * 190
            draw.rectangle((x, y, x + 180, y + 160), fill=colour, outline="#333333", width=4)
    draw.text((80, 700), text, font=load_font(44), fill="#222222")
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _receipt() -> bytes:
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    lines = ["RIMI Brīvības iela", "22.11.2026", "", "Formula milk 1st age", "300 × 1.43 €", "",
             "TOTAL            430.00 €", "", "Paid by card"]  # fmt: skip
    for index, line in enumerate(lines):
        draw.text((50, 60 + index * 60), line, font=load_font(32), fill="black")
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def load_news(session: AsyncSession, campaign: Campaign, user: User, today: date) -> bool:
    if await session.scalar(select(FieldUpdate.id).where(FieldUpdate.campaign_id == campaign.id)):
        return False
    for name, amount, method in OFFLINE_GIFTS:
        gift = donations.GiftInput(amount_minor=amount, donor_name=name)
        await donations.record_offline(session, campaign, user, gift, method, today)
    milk = await session.scalar(
        select(Need).join(Item).where(Need.campaign_id == campaign.id, Item.name == "Formula milk")
    )
    expense = await expenses.record_expense(
        session,
        campaign,
        user,
        amount_minor=43_000,
        currency=campaign.currency,
        description="300 bottles of formula milk (Rimi, Brīvības iela)",
        spent_on=today,
        receipt_public=True,
        need_id=milk.id if milk else None,
        units=300 if milk else None,
        today=today,
    )
    await expenses.attach_receipt(session, expense, _receipt())
    delivery_ids = list(
        await session.scalars(select(Delivery.id).where(Delivery.campaign_id == campaign.id))
    )
    first = await service.create_update(
        session, campaign, user, publish=True,
        title="First deliveries: diapers and milk at the shelter",
        body="Three families came by this morning. The nurses counted every pack: "
        "**what you see below is what arrived**, nothing more.",
    )  # fmt: skip
    await service.add_photo(
        session,
        first,
        _picture("Diapers, size 1 — shelf 2", "#9ed0e6"),
        "Packs of diapers on the shelter's shelves",
        user,
    )
    await service.link_reports(session, campaign, first, [], delivery_ids)
    milk_update = await service.create_update(
        session, campaign, user, publish=True,
        title="430 € of formula milk bought — receipt attached",
        body="The kitty paid for 300 bottles of formula: one full day for 110 newborns.",
    )  # fmt: skip
    await service.link_reports(session, campaign, milk_update, [expense.id], [])
    await service.create_update(
        session, campaign, user, publish=True,
        title="Thank you, Riga!",
        body="The shelter's director thanks everyone. Watch her message:",
        video_url="https://www.youtube.com/watch?v=palidzesim",
    )  # fmt: skip
    return True
