"""Spending pages and API: organizers record what the kitty bought, with receipts."""

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app import pagecache
from app.accounts.deps import ApiUser, ApiUserOptional, CurrentUser, OptionalUser
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import MAX_ID, PathId, SessionDep, WriteSessionDep, utcnow
from app.errors import FieldError, NotFound, ValidationFailed
from app.fields import currency_schema, visible
from app.i18n import _
from app.inkind import needs as inkind_needs
from app.inkind.service import format_units
from app.money import MAX_AMOUNT_MINOR, InvalidAmount, Money
from app.updates import expenses as service
from app.updates.models import Expense
from app.updates.service import ensure_organizer
from app.web import absolute_url, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
RECEIPT_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
api = APIRouter(prefix="/api/v1", tags=["expenses"])


def receipt_path(campaign: Campaign, expense: Expense) -> str:
    return f"/h/{quote(campaign.hashtag)}/expenses/{expense.id}/receipt"


def expense_view(campaign: Campaign, expense: Expense, team: bool) -> dict:
    """What a page shows of an expense; private receipts only to the team."""
    show_receipt = expense.receipt is not None and (expense.receipt_public or team)
    return {
        "expense": expense,
        "goods": format_units(expense.units, expense.need.item)
        if expense.need and expense.units
        else "",
        "receipt_url": receipt_path(campaign, expense) if show_receipt else None,
        "voided": expense.void is not None,
    }


async def _organizer_campaign(session, tag: str, user) -> Campaign:
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    ensure_organizer(role)
    return campaign


# --- Pages ---------------------------------------------------------------------------------


@pages.get("/dashboard/c/{tag}/expenses")
async def expenses_page(tag: str, request: Request, session: SessionDep, user: CurrentUser):
    campaign = await _organizer_campaign(session, tag, user)
    return render(request, "dashboard/expenses.html", await _context(session, campaign))


async def _context(session, campaign, values=None, errors=None) -> dict:
    rows = await service.list_expenses(session, campaign)
    return {
        "campaign": campaign,
        "rows": [expense_view(campaign, e, team=True) for e in rows],
        "spending": await service.spending(session, campaign),
        "needs": await inkind_needs.list_needs(session, campaign),
        "values": values or {"spent_on": utcnow().date().isoformat()},
        "errors": errors or {},
    }


@pages.post("/dashboard/c/{tag}/expenses")
async def record_expense(tag: str, request: Request, session: WriteSessionDep, user: CurrentUser):
    campaign = await _organizer_campaign(session, tag, user)
    form = await request.form()
    values = {
        k: str(form.get(k, "")).strip()
        for k in ("amount", "description", "spent_on", "need_id", "units")
    }
    values["receipt_public"] = "yes" if form.get("receipt_public") else ""
    receipt = form.get("receipt")
    raw = (
        await receipt.read(get_settings().max_upload_bytes + 1) if hasattr(receipt, "read") else b""
    )
    try:
        expense = await service.record_expense(
            session, campaign, user, currency=campaign.currency, **_parse(values, campaign)
        )
        if raw:
            await service.attach_receipt(session, expense, raw)
    except ValidationFailed as exc:
        context = await _context(session, campaign, values, exc.by_field())
        return render(request, "dashboard/expenses.html", context, status_code=422)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(f"/dashboard/c/{quote(campaign.hashtag)}/expenses", _("Expense recorded."))


def _parse(values: dict, campaign: Campaign) -> dict:
    errors, parsed = [], {"receipt_public": bool(values["receipt_public"])}
    try:
        parsed["amount_minor"] = Money.parse(values["amount"], campaign.currency).amount_minor
    except InvalidAmount:
        errors.append(FieldError("amount", _("Enter an amount like 430 or 430.50.")))
    try:
        parsed["spent_on"] = date.fromisoformat(values["spent_on"]) if values["spent_on"] else None
    except ValueError:
        errors.append(FieldError("spent_on", _("Must be a date (YYYY-MM-DD).")))
    parsed["description"] = values["description"]
    need_id = values["need_id"]
    parsed["need_id"] = int(need_id) if need_id.isdigit() and 0 < int(need_id) <= MAX_ID else None
    if values["units"]:
        if not values["units"].isdigit():
            errors.append(FieldError("units", _("Must be a whole number.")))
        elif int(values["units"]) > service.MAX_UNITS:
            errors.append(FieldError("units", _("Must be at most %(n)s.", n=service.MAX_UNITS)))
        else:
            parsed["units"] = int(values["units"])
    if errors:
        raise ValidationFailed(errors)
    return parsed


@pages.post("/dashboard/c/{tag}/expenses/{expense_id}/void")
async def void_expense(
    tag: str, expense_id: PathId, request: Request, session: WriteSessionDep, user: CurrentUser
):
    campaign = await _organizer_campaign(session, tag, user)
    expense = await service.get_expense(session, campaign, expense_id)
    reason = str((await request.form()).get("reason", ""))
    url = f"/dashboard/c/{quote(campaign.hashtag)}/expenses"
    try:
        await service.void_expense(session, expense, user, reason)
    except ValidationFailed as exc:
        return redirect(url, exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(url, _("Expense cancelled; it stays listed with the reason."))


@pages.get("/h/{tag}/expenses/{expense_id}/receipt")
async def receipt(tag: str, expense_id: PathId, session: SessionDep, user: OptionalUser):
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    expense = await service.get_expense(session, campaign, expense_id)
    found = await service.receipt_bytes(session, expense)
    if found is None or not (expense.receipt_public or role is not None):
        raise NotFound(_("This receipt is not public."))
    data, content_type = found
    extension = "pdf" if content_type == "application/pdf" else "jpg"
    headers = {
        "Content-Disposition": f'inline; filename="receipt-{expense.id}.{extension}"',
        # A PDF is shown in a sandbox: no script of it runs with this site's rights.
        "Content-Security-Policy": RECEIPT_CSP,
        "Cache-Control": "public, max-age=3600" if expense.receipt_public else "private, no-store",
    }
    return Response(data, media_type=content_type, headers=headers)


# --- API -----------------------------------------------------------------------------------


def _integer(name: str) -> dict:
    return {"required": [name], "properties": {name: {"type": "integer"}}}


class ExpenseIn(BaseModel):
    # Goods bought for a need: need_id and units go together.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {"if": _integer("need_id"), "then": _integer("units")},
                {"if": _integer("units"), "then": _integer("need_id")},
            ]
        }
    )

    # The service checks the amount (its errors name the field "amount").
    amount_minor: int = Field(json_schema_extra={"minimum": 1, "maximum": MAX_AMOUNT_MINOR})
    currency: str = Field(
        min_length=3,
        max_length=3,
        description="The campaign's currency (ISO 4217 code)",
        json_schema_extra=currency_schema(),
    )
    description: str = Field(
        max_length=300, description="At least 3 characters", json_schema_extra=visible(3)
    )
    spent_on: date = Field(description="Today or earlier")
    receipt_public: bool = False
    need_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="One of the campaign's needs, with units"
    )
    units: int | None = Field(default=None, ge=1, le=service.MAX_UNITS)


class ExpenseOut(BaseModel):
    id: int
    amount_minor: int
    currency: str
    description: str
    spent_on: date
    goods: str
    receipt_url: str | None
    voided: bool
    void_reason: str | None


def expense_out(campaign: Campaign, expense: Expense, team: bool) -> ExpenseOut:
    view = expense_view(campaign, expense, team)
    return ExpenseOut(
        id=expense.id,
        amount_minor=expense.amount_minor,
        currency=expense.currency,
        description=expense.description,
        spent_on=expense.spent_on,
        goods=view["goods"],
        receipt_url=absolute_url(view["receipt_url"]) if view["receipt_url"] else None,
        voided=view["voided"],
        void_reason=expense.void.reason if expense.void else None,
    )


@api.get("/campaigns/{tag}/expenses", response_model=list[ExpenseOut])
async def api_list_expenses(tag: str, session: SessionDep, user: ApiUserOptional):
    """What the kitty bought, newest first (cancelled ones included, marked as such)."""
    campaign, _hashtag, role = await campaigns.visible_campaign(session, tag, user)
    rows = await service.list_expenses(session, campaign)
    return [expense_out(campaign, e, team=role is not None) for e in rows]


@api.post("/campaigns/{tag}/expenses", status_code=201, response_model=ExpenseOut)
async def api_record_expense(tag: str, body: ExpenseIn, session: WriteSessionDep, user: ApiUser):
    """Record spending (organizers). With need_id and units, the goods bought count as received."""
    campaign = await _organizer_campaign(session, tag, user)
    expense = await service.record_expense(session, campaign, user, **body.model_dump())
    pagecache.campaign_changed(session, campaign.id)
    return expense_out(campaign, expense, team=True)


@api.post("/campaigns/{tag}/expenses/{expense_id}/receipt", response_model=ExpenseOut)
async def api_attach_receipt(
    tag: str, expense_id: PathId, receipt: UploadFile, session: WriteSessionDep, user: ApiUser
):
    """Attach the receipt (multipart field `receipt`: a photo or a PDF)."""
    campaign = await _organizer_campaign(session, tag, user)
    expense = await service.get_expense(session, campaign, expense_id)
    await service.attach_receipt(
        session, expense, await receipt.read(get_settings().max_upload_bytes + 1)
    )
    pagecache.campaign_changed(session, campaign.id)
    return expense_out(campaign, expense, team=True)
