"""What pages and the API show of updates and expenses: shapes shared by the updates routers.

Plain functions from rows to dicts and URLs; the routers (public.py, team.py, api.py,
expenses_router.py) import them, never each other.
"""

from urllib.parse import quote

from app.campaigns.models import Campaign
from app.formatting import format_day
from app.i18n import _
from app.inkind.models import Delivery
from app.inkind.service import format_units
from app.updates.models import Expense, FieldUpdate, UpdateStatus
from app.updates.video import video_site


def update_url(campaign: Campaign, update: FieldUpdate) -> str:
    return f"/h/{quote(campaign.hashtag)}/updates/{update.id}"


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
        "status": "voided" if expense.void is not None else "recorded",
    }


def delivery_text(delivery: Delivery) -> str:
    goods = [
        format_units(line.accepted_units, line.need.item)
        for line in delivery.lines
        if line.accepted_units > 0
    ]
    return f"{format_day(delivery.received_on)}: " + (", ".join(goods) or _("nothing accepted"))


def update_view(campaign: Campaign, update: FieldUpdate, team: bool = False) -> dict:
    """What a template needs to show one update; nothing left to compute there."""
    reports = [
        {
            "money": expense.money,
            "text": expense.description,
            "goods": expense_view(campaign, expense, team)["goods"],
            "url": expense_view(campaign, expense, team)["receipt_url"],
            "voided": expense.void is not None,
        }
        for expense in update.expenses
    ]
    reports += [
        {"money": None, "text": delivery_text(d), "goods": "", "url": None, "voided": False}
        for d in update.deliveries
    ]
    return {
        "entry": update,  # not "update": Jinja would find dict.update first
        "url": update_url(campaign, update),
        "video_site": video_site(update.video_url.split("/")[2]) if update.video_url else None,
        "retracted": update.status == UpdateStatus.RETRACTED,
        "author": update.author.display_name if update.author else "",
        "reports": reports,
    }
