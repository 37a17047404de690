"""Spending pages and API: organizers record what the kitty bought, with receipts."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from app import pagecache
from app.campaigns.access import (
    ApiSpendingCampaign,
    ApiViewerCampaign,
    SpendingCampaign,
    ViewerCampaign,
)
from app.campaigns.models import Campaign
from app.config import get_settings
from app.db import PathId, SessionDep, WriteSessionDep, utcnow
from app.errors import FieldError, NotFound, ValidationFailed, field_errors_from_pydantic
from app.formatting import absolute_url
from app.i18n import _, get_locale
from app.inkind import needs as inkind_needs
from app.money import InvalidAmount, Money
from app.updates import expenses as service
from app.updates.models import Expense
from app.updates.schemas import ExpenseIn, ExpenseOut
from app.updates.views import expense_view
from app.web import content_disposition, redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
RECEIPT_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
api = APIRouter(prefix="/api/v1", tags=["expenses"])


# --- Pages ---------------------------------------------------------------------------------


@pages.get("/dashboard/c/{tag}/expenses")
async def expenses_page(request: Request, session: SessionDep, viewer: SpendingCampaign):
    context = await _context(session, viewer.campaign)
    return render(request, "dashboard/expenses.html", context)


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
async def record_expense(request: Request, session: WriteSessionDep, viewer: SpendingCampaign):
    campaign = viewer.campaign
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
        body = _expense_input(values, campaign)
        expense = await service.record_expense(session, campaign, viewer.user, **body.model_dump())
        if raw:
            await service.attach_receipt(session, expense, raw)
    except ValidationFailed as exc:
        context = await _context(session, campaign, values, exc.by_field())
        return render(request, "dashboard/expenses.html", context, status_code=422)
    pagecache.campaign_changed(session, campaign.id)
    return redirect(f"/dashboard/c/{quote(campaign.hashtag)}/expenses", _("Expense recorded."))


def _expense_input(values: dict, campaign: Campaign) -> ExpenseIn:
    """The form read into the API's own input model: one set of rules for both."""
    errors = []
    data = {
        "currency": campaign.currency,
        "description": values["description"],
        "spent_on": values["spent_on"] or utcnow().date().isoformat(),
        "receipt_public": bool(values["receipt_public"]),
        "need_id": values["need_id"] or None,
        "units": values["units"] or None,
        "amount_minor": 1,  # replaced below; a placeholder keeps the other fields checked
    }
    try:
        data["amount_minor"] = Money.parse(
            values["amount"], campaign.currency, get_locale()
        ).amount_minor
    except InvalidAmount:
        errors.append(FieldError("amount", _("Enter an amount like 430 or 430.50.")))
    try:
        body = ExpenseIn.model_validate(data)
    except ValidationError as exc:
        for error in field_errors_from_pydantic(exc.errors(include_url=False), skip=()):
            field = "amount" if error.field == "amount_minor" else error.field
            errors.append(FieldError(field, error.message))
    if errors:
        raise ValidationFailed(errors)
    return body


@pages.post("/dashboard/c/{tag}/expenses/{expense_id}/void")
async def void_expense(
    expense_id: PathId, request: Request, session: WriteSessionDep, viewer: SpendingCampaign
):
    campaign = viewer.campaign
    expense = await service.get_expense(session, campaign, expense_id)
    reason = str((await request.form()).get("reason", ""))
    url = f"/dashboard/c/{quote(campaign.hashtag)}/expenses"
    try:
        await service.void_expense(session, expense, viewer.user, reason)
    except ValidationFailed as exc:
        return redirect(url, exc.field_errors[0].message, "error")
    pagecache.campaign_changed(session, campaign.id)
    return redirect(url, _("Expense cancelled; it stays listed with the reason."))


@pages.get("/h/{tag}/expenses/{expense_id}/receipt")
async def receipt(expense_id: PathId, session: SessionDep, viewer: ViewerCampaign):
    campaign = viewer.campaign
    expense = await service.get_expense(session, campaign, expense_id)
    found = await service.receipt_bytes(session, expense)
    if found is None or not (expense.receipt_public or viewer.can_see_private_receipts):
        raise NotFound(_("This receipt is not public."))
    data, content_type = found
    extension = "pdf" if content_type == "application/pdf" else "jpg"
    headers = {
        "Content-Disposition": content_disposition(f"receipt-{expense.id}.{extension}", "inline"),
        # A PDF is shown in a sandbox: no script of it runs with this site's rights.
        "Content-Security-Policy": RECEIPT_CSP,
        "Cache-Control": "public, max-age=3600" if expense.receipt_public else "private, no-store",
    }
    return Response(data, media_type=content_type, headers=headers)


# --- API -----------------------------------------------------------------------------------


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
async def api_list_expenses(session: SessionDep, viewer: ApiViewerCampaign):
    """What the kitty bought, newest first (cancelled ones included, marked as such)."""
    campaign, team = viewer.campaign, viewer.can_see_private_receipts
    rows = await service.list_expenses(session, campaign)
    return [expense_out(campaign, e, team=team) for e in rows]


@api.post("/campaigns/{tag}/expenses", status_code=201, response_model=ExpenseOut)
async def api_record_expense(
    body: ExpenseIn, session: WriteSessionDep, viewer: ApiSpendingCampaign
):
    """Record spending (organizers). With need_id and units, the goods bought count as received."""
    campaign = viewer.campaign
    expense = await service.record_expense(session, campaign, viewer.user, **body.model_dump())
    pagecache.campaign_changed(session, campaign.id)
    return expense_out(campaign, expense, team=True)


@api.post("/campaigns/{tag}/expenses/{expense_id}/receipt", response_model=ExpenseOut)
async def api_attach_receipt(
    expense_id: PathId, receipt: UploadFile, session: WriteSessionDep, viewer: ApiSpendingCampaign
):
    """Attach the receipt (multipart field `receipt`: a photo or a PDF)."""
    campaign = viewer.campaign
    expense = await service.get_expense(session, campaign, expense_id)
    await service.attach_receipt(
        session, expense, await receipt.read(get_settings().max_upload_bytes + 1)
    )
    pagecache.campaign_changed(session, campaign.id)
    return expense_out(campaign, expense, team=True)
