"""Spending: what the kitty bought, with receipts; totals derived from the expense ledger."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.config import get_settings
from app.errors import FieldError, NotFound, ValidationFailed
from app.i18n import _
from app.inkind import ledger, needs
from app.inkind.models import EntryKind, Need
from app.media import reencode_image
from app.money import MAX_AMOUNT_MINOR, Money
from app.text import clean_line
from app.updates.models import Expense, ExpenseReceipt, ExpenseVoid

MAX_UNITS = 10_000_000


@dataclass(frozen=True)
class Spending:
    spent: Money
    count: int


async def record_expense(
    session: AsyncSession,
    campaign: Campaign,
    user: User,
    *,
    amount_minor: int,
    currency: str,
    description: str,
    spent_on: date | None,
    receipt_public: bool = False,
    need_id: int | None = None,
    units: int | None = None,
    today: date | None = None,
) -> Expense:
    errors = []
    need = None
    if need_id is not None:
        try:
            need = await needs.get_need(session, campaign, need_id)
        except NotFound:
            errors.append(FieldError("need_id", _("Choose one of the campaign's needs.")))
        if not units or units <= 0 or units > MAX_UNITS:
            errors.append(FieldError("units", _("Say how many units were bought.")))
    elif units:
        errors.append(FieldError("need_id", _("Choose the need these goods go to.")))
    description = clean_line(description)
    if currency.upper() != campaign.currency:
        errors.append(
            FieldError(
                "currency",
                _(
                    "Record expenses in the campaign's currency (%(currency)s).",
                    currency=campaign.currency,
                ),
            )
        )
    if amount_minor <= 0 or amount_minor > MAX_AMOUNT_MINOR:
        errors.append(FieldError("amount", _("Enter an amount greater than zero.")))
    if len(description) < 3:
        errors.append(FieldError("description", _("Say what was bought (at least 3 characters).")))
    if spent_on is None:
        errors.append(FieldError("spent_on", _("Must be a date (YYYY-MM-DD).")))
    elif spent_on > (today or date.today()):
        errors.append(FieldError("spent_on", _("An expense cannot be in the future.")))
    if errors:
        raise ValidationFailed(errors)
    expense = Expense(
        campaign_id=campaign.id,
        amount_minor=amount_minor,
        currency=campaign.currency,
        description=description[:300],
        spent_on=spent_on,
        recorded_by_id=user.id,
        receipt_public=receipt_public,
        # The need itself, not only its id: the response reads expense.need, and a lazy load
        # there would be I/O outside the async session's greenlet (MissingGreenlet).
        need=need,
        units=units if need else None,
        receipt=None,
        void=None,
    )
    session.add(expense)
    await session.flush()
    if need is not None:
        # The goods count as received the day they were bought, like a delivery.
        await ledger.record(
            session,
            need,
            spent_on,
            EntryKind.PURCHASED,
            actor=user.display_name,
            actor_id=user.id,
            received=units,
            note=f"expense #{expense.id}: {expense.description}",
        )
    return expense


def clean_receipt(raw: bytes) -> tuple[bytes, str]:
    """A receipt is a photo (re-encoded without metadata) or a PDF."""
    if len(raw) > get_settings().max_upload_bytes:
        limit = get_settings().max_upload_bytes // (1024 * 1024)
        raise ValidationFailed(
            [FieldError("receipt", _("The file is too large (at most %(mb)s MB).", mb=limit))]
        )
    if raw.startswith(b"%PDF-"):
        return raw, "application/pdf"
    try:
        data, _width, _height = reencode_image(raw, field="receipt")
    except ValidationFailed:
        raise ValidationFailed(
            [FieldError("receipt", _("Upload a photo of the receipt or a PDF."))]
        ) from None
    return data, "image/jpeg"


async def attach_receipt(session: AsyncSession, expense: Expense, raw: bytes) -> None:
    data, content_type = clean_receipt(raw)
    if expense.receipt is not None:
        raise ValidationFailed([FieldError("receipt", _("This expense already has a receipt."))])
    expense.receipt = ExpenseReceipt(expense_id=expense.id, content_type=content_type, data=data)
    await session.flush()


async def void_expense(session: AsyncSession, expense: Expense, user: User, reason: str) -> None:
    reason = clean_line(reason)
    if expense.void is not None:
        raise ValidationFailed([FieldError("reason", _("This expense is already cancelled."))])
    if len(reason) < 3:
        raise ValidationFailed([FieldError("reason", _("Say briefly why it is cancelled."))])
    expense.void = ExpenseVoid(expense_id=expense.id, reason=reason[:300], voided_by_id=user.id)
    if expense.need_id and expense.units:
        # The goods it bought leave the ledger by a correction entry: history stays whole.
        need = await session.get(Need, expense.need_id)
        if need is not None:
            await ledger.record(
                session,
                need,
                expense.spent_on,
                EntryKind.CORRECTION,
                actor=user.display_name,
                actor_id=user.id,
                received=-expense.units,
                note=f"expense #{expense.id} cancelled: {reason}",
            )
    await session.flush()


async def get_expense(session: AsyncSession, campaign: Campaign, expense_id: int) -> Expense:
    expense = await session.get(Expense, expense_id)
    if expense is None or expense.campaign_id != campaign.id:
        raise NotFound(_("This expense does not exist."))
    return expense


async def receipt_bytes(session: AsyncSession, expense: Expense) -> tuple[bytes, str] | None:
    row = (
        await session.execute(
            select(ExpenseReceipt.data, ExpenseReceipt.content_type).where(
                ExpenseReceipt.expense_id == expense.id
            )
        )
    ).first()
    return (row.data, row.content_type) if row else None


async def list_expenses(session: AsyncSession, campaign: Campaign) -> list[Expense]:
    rows = await session.scalars(
        select(Expense)
        .where(Expense.campaign_id == campaign.id)
        .order_by(Expense.spent_on.desc(), Expense.id.desc())
    )
    return list(rows)


async def spending(session: AsyncSession, campaign: Campaign) -> Spending:
    """Money spent: the sum of the expense ledger, minus what was cancelled."""
    total, count = (
        await session.execute(
            select(func.coalesce(func.sum(Expense.amount_minor), 0), func.count(Expense.id))
            .outerjoin(ExpenseVoid, ExpenseVoid.expense_id == Expense.id)
            .where(Expense.campaign_id == campaign.id, ExpenseVoid.id.is_(None))
        )
    ).one()
    return Spending(spent=Money(int(total), campaign.currency), count=int(count))
