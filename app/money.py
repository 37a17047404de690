"""Money as integer minor units of an ISO 4217 currency, formatted with Babel."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_name, list_currencies

# Stripe's zero-decimal currencies: amounts are sent as whole units.
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# Stripe's three-decimal currencies (the last digit must be 0 when charging).
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
# Icelandic króna: whole units for people, yet Stripe wants it as a two-decimal amount.
STRIPE_TIMES_100 = frozenset({"ISK"})
# Codes Babel knows that are not money one can raise (funds, metals, testing codes).
NOT_RAISABLE = frozenset(
    ["XAU", "XAG", "XPT", "XPD", "XTS", "XXX", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"]
)

MAX_AMOUNT_MINOR = 10**15


@lru_cache
def known_currencies() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if code not in NOT_RAISABLE)


def is_currency(code: str) -> bool:
    return code in known_currencies()


def exponent(currency: str) -> int:
    """Digits after the decimal point for amounts of this currency."""
    if currency in ZERO_DECIMAL or currency in STRIPE_TIMES_100:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def currency_name(currency: str, locale: str = "en") -> str:
    return get_currency_name(currency, locale=locale)


class InvalidAmount(ValueError):
    pass


_AMOUNT_RE = re.compile(r"^\d+(?:[.,]\d+)?$")


@dataclass(frozen=True, order=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if not is_currency(self.currency):
            raise ValueError(f"unknown currency {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> "Money":
        """Read an amount a person typed in major units: "12", "12.5", "12,50", "600 000"."""
        cleaned = re.sub(r"[\s\u00a0\u202f']", "", text or "")
        if not _AMOUNT_RE.match(cleaned):
            raise InvalidAmount(text)
        whole, _sep, fraction = cleaned.replace(",", ".").partition(".")
        digits = exponent(currency)
        if len(fraction.rstrip("0")) > digits:
            raise InvalidAmount(text)
        try:
            value = Decimal(f"{whole}.{fraction or '0'}")
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise InvalidAmount(text) from exc
        minor = int(value.scaleb(digits))
        if minor > MAX_AMOUNT_MINOR:
            raise InvalidAmount(text)
        return cls(minor, currency)

    @property
    def major(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    def major_text(self) -> str:
        """Plain major-unit text for form fields: "12.50", "600000"."""
        return f"{self.major:.{exponent(self.currency)}f}"

    def format(self, locale: str = "en") -> str:
        """Human text for the locale: "€1.50" in English, "1,50 €" and "600 000 F CFA" in French."""
        return _format(self.major, self.currency, locale)

    def stripe_amount(self) -> int:
        """The integer Stripe expects for this amount."""
        if self.currency in STRIPE_TIMES_100:
            return self.amount_minor * 100
        return self.amount_minor

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")


@lru_cache(maxsize=256)
def _pattern(locale: str, digits: int) -> str:
    # The locale's currency pattern with our exponent, not CLDR's (Stripe's list decides).
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    number_part = "#,##0" + ("." + "0" * digits if digits else "")
    return re.sub(r"[#0,.]+", number_part, pattern, count=1)


def _format(value: Decimal, currency: str, locale: str) -> str:
    return format_currency(
        value,
        currency,
        format=_pattern(locale, exponent(currency)),
        locale=locale,
        currency_digits=False,
        numbering_system="latn",
    )
