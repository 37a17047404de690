"""What every new gift passes, from the donation form or the API: the amount typed in the
campaign's currency (the limits against card testing are in app/donations/limits.py)."""

from babel.numbers import format_decimal

from app.donations.rules import suggested_amounts
from app.errors import FieldError, ValidationFailed
from app.i18n import _, get_locale
from app.money import InvalidAmount, Money, exponent


def amount_example(amount: Money) -> str:
    """ "20.00" in English, "20,00" in French, "2000" for zero-decimal currencies."""
    digits = exponent(amount.currency)
    pattern = "0" + ("." + "0" * digits if digits else "")
    return format_decimal(amount.major, format=pattern, locale=get_locale())


def parse_amount(
    text: str, currency: str, minimum: Money | None = None, locale: str | None = None
) -> int:
    """The amount typed, in minor units; the error names the real minimum when there is one.

    Typed text is read in the visitor's locale; a preset's value (Money.major_text) in "en".
    """
    try:
        return Money.parse(text, currency, locale or get_locale()).amount_minor
    except InvalidAmount:
        if minimum is None:
            example = amount_example(Money(20 * 10 ** exponent(currency), currency))
            message = _("Enter an amount like %(example)s.", example=example)
        else:
            message = _(
                "Enter an amount of at least %(minimum)s, like %(example)s.",
                minimum=minimum.format(get_locale()),
                example=amount_example(suggested_amounts(currency)[0]),
            )
        raise ValidationFailed([FieldError("amount", message)]) from None
