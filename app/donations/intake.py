"""What every new gift passes, from the donation form or the API: the amount typed in the
campaign's currency (the limits against card testing are in app/donations/limits.py)."""

from babel.numbers import format_decimal

from app.errors import FieldError, ValidationFailed
from app.i18n import _, get_locale
from app.money import InvalidAmount, Money, exponent


def amount_example(currency: str) -> str:
    """ "20.00" in English, "20,00" in French, "20" for zero-decimal currencies."""
    digits = exponent(currency)
    sample = Money(20 * 10**digits, currency)
    pattern = "0" + ("." + "0" * digits if digits else "")
    return format_decimal(sample.major, format=pattern, locale=get_locale())


def parse_amount(text: str, currency: str) -> int:
    try:
        return Money.parse(text, currency).amount_minor
    except InvalidAmount:
        message = _("Enter an amount like %(example)s.", example=amount_example(currency))
        raise ValidationFailed([FieldError("amount", message)]) from None
