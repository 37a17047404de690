"""What a gift may be: amounts per currency, a campaign open to gifts, clean donor fields."""

import logging
from dataclasses import dataclass

from app.campaigns.models import Campaign, CampaignStatus
from app.errors import Conflict, FieldError, ValidationFailed
from app.i18n import _, get_locale
from app.money import MAX_AMOUNT_MINOR, Money, exponent
from app.text import clean_line

log = logging.getLogger("aidons.donations")

# Stripe's minimum charge per currency (in minor units); others: one major unit.
MINIMUM_MINOR = {
    "EUR": 100, "USD": 100, "GBP": 100, "CHF": 100, "CAD": 100, "AUD": 100,
    "SEK": 1000, "NOK": 1000, "DKK": 1000, "PLN": 500, "CZK": 2000, "HUF": 50000,
    "XOF": 500, "XAF": 500, "JPY": 100, "KRW": 1000,
}  # fmt: skip
# Stripe refuses amounts of more than eight digits in its units.
STRIPE_MAX_UNITS = 99_999_999
SUGGESTED_MAJOR = {"XOF": (2000, 5000, 10000, 25000), "XAF": (2000, 5000, 10000, 25000)}
DEFAULT_SUGGESTED_MAJOR = (10, 20, 50, 100)


# --- Amounts ------------------------------------------------------------------------------


def minimum(currency: str) -> Money:
    return Money(MINIMUM_MINOR.get(currency, 10 ** exponent(currency)), currency)


def maximum(currency: str) -> Money:
    one = Money(1, currency).stripe_amount()  # 100 for ISK, else 1
    return Money(STRIPE_MAX_UNITS // one, currency)


def suggested_amounts(currency: str) -> list[Money]:
    majors = SUGGESTED_MAJOR.get(currency, DEFAULT_SUGGESTED_MAJOR)
    return [Money(value * 10 ** exponent(currency), currency) for value in majors]


def amount_problem(amount_minor: int, currency: str, online: bool = True) -> str | None:
    low = minimum(currency) if online else Money(1, currency)
    high = maximum(currency) if online else Money(MAX_AMOUNT_MINOR, currency)
    locale = get_locale()
    if amount_minor < low.amount_minor:
        return _("The smallest gift is %(amount)s.", amount=low.format(locale))
    if amount_minor > high.amount_minor:
        return _("The largest gift is %(amount)s.", amount=high.format(locale))
    return None


@dataclass
class GiftInput:
    amount_minor: int
    donor_name: str = ""
    anonymous: bool = False
    message: str = ""
    email: str | None = None

    @classmethod
    def of(cls, body) -> "GiftInput":
        """From an API body (DonationCreate, OfflineDonationCreate): the same fields."""
        return cls(body.amount_minor, body.donor_name, body.anonymous, body.message, body.email)


def check_open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.LIVE:
        return
    messages = {
        CampaignStatus.DRAFT: _("This campaign is not published yet: it cannot receive gifts."),
        CampaignStatus.PAUSED: _("This campaign is paused: gifts are not accepted for now."),
        CampaignStatus.CLOSED: _("This campaign is closed: it no longer accepts gifts. Thank you!"),
    }
    raise Conflict(messages[CampaignStatus(campaign.status)])


def clean_gift(campaign: Campaign, gift: GiftInput, online: bool = True) -> GiftInput:
    from app.accounts.service import normalize_email

    errors: list[FieldError] = []
    problem = amount_problem(gift.amount_minor, campaign.currency, online)
    if problem:
        errors.append(FieldError("amount", problem))
    name = clean_line(gift.donor_name)
    if len(name) > 120:
        errors.append(FieldError("donor_name", _("Must be at most %(n)s characters.", n=120)))
    message = clean_line(gift.message)
    if len(message) > 500:
        errors.append(FieldError("message", _("Must be at most %(n)s characters.", n=500)))
    email = None
    if gift.email and gift.email.strip():
        try:
            email = normalize_email(gift.email)
        except ValueError as exc:
            errors.append(FieldError("email", str(exc)))
    if errors:
        raise ValidationFailed(errors)
    return GiftInput(gift.amount_minor, name, gift.anonymous, message, email)
