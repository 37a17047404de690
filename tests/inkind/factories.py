"""Test data for goods: needs, drop-off points, slots, pledges, deliveries."""

from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, User
from app.campaigns.models import Campaign, Membership
from app.inkind import deliveries, needs, pledges
from app.inkind.schemas import DeliveryCreate, NeedCreate, PledgeCreate
from tests.factories import create_user

TODAY = date(2026, 12, 1)


async def create_need(session: AsyncSession, campaign: Campaign, **fields):
    data = {
        "item": "Diapers, size 1",
        "unit": "diapers",
        "pack_label": "pack",
        "pack_size": 30,
        "kind": "daily",
        "per_day_units": 300,
        "reason": "110 newborns",
        "priority": 1,
        **fields,
    }
    return await needs.create_need(session, campaign, NeedCreate(**data))


async def create_point(session: AsyncSession, campaign: Campaign, name="Riga shelter"):
    return await needs.create_drop_off_point(
        session, campaign, name, "Brīvības iela 1, Riga", "Mon–Sat 9:00–19:00"
    )


async def create_slot(session, point, day=TODAY, capacity=None):
    return await needs.create_slot(
        session, point, day, time(10), time(12), capacity, min(day, TODAY)
    )


async def pledge(
    session: AsyncSession, campaign: Campaign, lines: dict, today: date = TODAY, **fields
):
    data = {
        "donor_name": "Līga Bērziņa",
        "lines": [{"need_id": need.id, "quantity": qty} for need, qty in lines.items()],
        **fields,
    }
    return await pledges.create_pledge(session, campaign, PledgeCreate(**data), today)


async def volunteer(session: AsyncSession, campaign: Campaign, email="vol@example.org") -> User:
    user = await create_user(session, email=email, name="Jānis Volunteer")
    session.add(Membership(campaign_id=campaign.id, user_id=user.id, role=Role.VOLUNTEER))
    await session.flush()
    return user


async def deliver(session, campaign, user, today=TODAY, **fields):
    return await deliveries.record_delivery(
        session, campaign, user, DeliveryCreate(**fields), today
    )
