"""What the pledge form shows: the days one can choose (open days of the drop-off points), and
for each need what is still missing on the chosen day and on each day offered (for the
script that updates the figures when the day changes; without it, the server re-renders)."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns.models import Campaign
from app.formatting import format_day
from app.i18n import _
from app.inkind import ledger, pledge_rules, service
from app.inkind import needs as needs_service
from app.inkind.models import ALL_DAYS, DropOffPoint, Need
from app.inkind.needs import NeedFigures

CHOICE_DAYS = 28  # the days offered in the form: four weeks from today


@dataclass(frozen=True)
class DayChoice:
    day: date
    label: str
    open_points: str  # ids of the points open that day, space-separated (for the script)
    open_at_chosen_point: bool

    @property
    def iso(self) -> str:
        return self.day.isoformat()


@dataclass(frozen=True)
class NeedRow:
    figures: NeedFigures
    missing_text: str  # on the chosen day
    missing_by_day: dict[str, str]
    max_hint: str

    @property
    def need(self) -> Need:
        return self.figures.need


def day_label(day: date, today: date) -> str:
    text = format_day(day, "EEEE d MMMM")
    if day == today:
        return _("Today, %(day)s", day=text)
    if day == today + timedelta(days=1):
        return _("Tomorrow, %(day)s", day=text)
    return text[:1].upper() + text[1:]


def missing_text(need: Need, day: date, pledged: int, received: int) -> str:
    short = format_day(day, "EEE d MMM")
    if need.is_daily:
        needed = need.needed_on(day)
        if not needed:
            return _("not needed on %(day)s", day=short)
        missing = service.format_units(max(needed - pledged - received, 0), need.item)
        return _("still missing on %(day)s: %(missing)s", day=short, missing=missing)
    if need.deadline and day > need.deadline:
        return _("needed by %(day)s at the latest", day=format_day(need.deadline, "EEE d MMM"))
    missing = service.format_units(max(need.needed_on(day) - pledged - received, 0), need.item)
    return _("still missing: %(missing)s", missing=missing)


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _chosen_point(points: list[DropOffPoint], values: dict) -> DropOffPoint | None:
    wanted = str(values.get("drop_off_point_id", ""))
    return next((p for p in points if str(p.id) == wanted), points[0] if points else None)


async def day_choices(
    session: AsyncSession, points: list[DropOffPoint], chosen_point, today: date, chosen: date
) -> list[DayChoice]:
    """Today and the next weeks (only the next few days when no email can confirm a pledge
    further ahead), each with the points open that day; the chosen day is always offered."""
    span = CHOICE_DAYS if pledge_rules.can_confirm_by_email() else pledge_rules.HOLD_AFTER_DAYS + 1
    days = [today + timedelta(days=n) for n in range(span)]
    if chosen not in days:
        days = sorted([*days, chosen])
    opened = await needs_service.slot_days(session, [p.id for p in points], today, max(days))
    choices = []
    for day in days:
        open_ids = [p.id for p in points if needs_service.opens_on(p, day, opened[p.id])]
        choices.append(
            DayChoice(
                day=day,
                label=day_label(day, today),
                open_points=" ".join(str(i) for i in open_ids),
                open_at_chosen_point=chosen_point is None or chosen_point.id in open_ids,
            )
        )
    return choices


async def need_rows(
    session: AsyncSession, figures: list[NeedFigures], days: list[date], chosen: date
) -> list[NeedRow]:
    needs = [f.need for f in figures]
    buckets = sorted({need.bucket(day) for need in needs for day in [*days, chosen]})
    totals = await ledger.totals(session, [need.id for need in needs], buckets or [ALL_DAYS])
    rows = []
    for f in figures:
        need = f.need

        def text(day: date, need=need) -> str:
            sums = totals.get((need.id, need.bucket(day)), ledger.Totals())
            return missing_text(need, day, sums.pledged, sums.received)

        rows.append(
            NeedRow(
                figures=f,
                missing_text=text(chosen),
                missing_by_day={day.isoformat(): text(day) for day in days},
                max_hint=pledge_rules.max_hint(need),
            )
        )
    return rows


async def form_view(session: AsyncSession, campaign: Campaign, today: date, values: dict) -> dict:
    """The template's context for the pledge form, for the day in `values` (or today)."""
    figures = await service.campaign_figures(session, campaign, today)
    points = await needs_service.list_drop_off_points(session, campaign)
    slots = await needs_service.upcoming_slots(session, campaign, today)
    booked = await service.slot_bookings(session, [slot.id for slot in slots])
    slot_rows = [
        (
            slot,
            service.slot_label(slot),
            slot.capacity is not None and booked.get(slot.id, 0) >= slot.capacity,
        )
        for slot in slots
    ]
    chosen_slot = next((s for s in slots if str(s.id) == str(values.get("slot_id", ""))), None)
    # A day typed in a request (past, or further than offered) stays chosen: its error says why.
    chosen = chosen_slot.day if chosen_slot else (parse_day(values.get("due_on")) or today)
    point = chosen_slot.drop_off_point if chosen_slot else _chosen_point(points, values)
    choices = await day_choices(session, points, point, today, chosen)
    if not chosen_slot and not parse_day(values.get("due_on")):
        # No day asked for: the first day the drop-off point opens, not a closed today.
        chosen = next((c.day for c in choices if c.open_at_chosen_point), chosen)
    rows = await need_rows(session, figures, [c.day for c in choices], chosen)
    return {
        "campaign": campaign,
        "figures": figures,
        "rows": rows,
        "points": points,
        "chosen_point_id": point.id if point else None,
        "slots": slot_rows,
        "day_choices": choices,
        "chosen_day": chosen.isoformat(),
        "chosen_day_label": day_label(chosen, today),
        "hold_after_days": pledge_rules.HOLD_AFTER_DAYS,
        "far_ahead_possible": pledge_rules.can_confirm_by_email(),
        "is_open": campaign.status == "live",
        "today": today.isoformat(),
    }
