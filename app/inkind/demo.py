"""#palidzesim's goods for `aidons demo`: its two daily needs, a drop-off point, a few
pledges and deliveries, and goods used at the shelter (so the progress page shows received,
used and on hand). Added once: a campaign that already has needs is left as it is."""

from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.inkind import deliveries, needs, pledges, stock
from app.inkind.models import Item
from app.inkind.schemas import DeliveryCreate, NeedCreate, PledgeCreate

NEEDS = [
    {"item": "Diapers, size 1", "unit": "diapers", "pack_label": "pack", "pack_size": 30,
     "kind": "daily", "per_day_units": 300, "reason": "110 newborns", "priority": 1,
     "max_per_pledge": 120},
    {"item": "Formula milk", "unit": "bottles", "pack_label": "box", "pack_size": 6,
     "kind": "daily", "per_day_units": 300, "reason": "110 newborns", "priority": 1},
    {"item": "Baby blankets", "unit": "blankets", "kind": "one_off", "target_units": 200,
     "priority": 3, "policy": "hard_cap"},
]  # fmt: skip


async def load_goods(session: AsyncSession, campaign: Campaign, user: User, today: date) -> bool:
    if await session.scalar(select(Item.id).where(Item.campaign_id == campaign.id).limit(1)):
        return False
    diapers, milk, blankets = [
        await needs.create_need(session, campaign, NeedCreate(**spec)) for spec in NEEDS
    ]
    point = await needs.create_drop_off_point(
        session, campaign, "Riga infant shelter", "Riga, Latvia", "Every day 9:00–20:00"
    )
    tomorrow = today + timedelta(days=1)
    slot = await needs.create_slot(session, point, tomorrow, time(10), time(12), 10, today)
    pledged = {}
    for name, lines, extra in [
        ("Līga", [(diapers, 4, "pack")], {}),
        ("Andris", [(milk, 24, "unit"), (diapers, 60, "unit")], {}),
        ("Marta", [(diapers, 120, "unit")], {"slot_id": slot.id}),
        ("Jānis", [(milk, 5, "pack"), (blankets, 10, "unit")], {"due_on": tomorrow}),
    ]:
        data = PledgeCreate(
            donor_name=name,
            drop_off_point_id=point.id,
            lines=[{"need_id": n.id, "quantity": q, "per": per} for n, q, per in lines],
            **extra,
        )
        pledged[name] = (await pledges.create_pledge(session, campaign, data, today)).pledge
    await deliveries.record_delivery(
        session, campaign, user, DeliveryCreate(pledge_code=pledged["Līga"].code, full=True), today
    )
    partial = DeliveryCreate(
        pledge_code=pledged["Andris"].code,
        lines=[
            {"need_id": milk.id, "accepted_units": 18, "refused_units": 6,
             "refusal_reason": "expired"},
            {"need_id": diapers.id, "accepted_units": 30},
        ],
    )  # fmt: skip
    await deliveries.record_delivery(session, campaign, user, partial, today)
    walk_in = DeliveryCreate(
        donor_name="A neighbour", lines=[{"need_id": diapers.id, "accepted_units": 90}]
    )
    await deliveries.record_delivery(session, campaign, user, walk_in, today)
    yesterday = today - timedelta(days=1)
    shop = DeliveryCreate(
        donor_name="Corner shop, Brīvības iela",
        lines=[{"need_id": diapers.id, "accepted_units": 600}],
        received_on=yesterday,
    )
    await deliveries.record_delivery(session, campaign, user, shop, today)
    for day, lines, note in [
        (yesterday, [(diapers, 300)], "day and night shifts"),
        (today, [(diapers, 240), (milk, 12)], "morning and afternoon feeds"),
    ]:
        use = stock.UseCreate(
            used_on=day, note=note, lines=[{"need_id": n.id, "units": u} for n, u in lines]
        )
        await stock.record_use(session, campaign, user, use, today)
    return True
