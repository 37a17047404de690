"""Money as integer minor units of an ISO 4217 currency, formatted with Babel."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_name,
    get_currency_symbol,
    get_decimal_symbol,
    list_currencies,
)

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


_DIGITS_AND_SEPARATORS = re.compile(r"^\d[\d.,]*$")
_SPACES = re.compile(r"[\s\u00a0\u202f'’]")
# Written after whole amounts in some places: "25.-", "25,–".
_WHOLE_MARK = re.compile(r"[.,][-–—]$")
# Ways people write a currency beside an amount, beyond its code and CLDR symbols.
_CURRENCY_ALIASES = {
    "XOF": ("FCFA", "CFA", "F"),
    "XAF": ("FCFA", "CFA", "F"),
    "EUR": ("EUROS", "EURO"),
}


@lru_cache(maxsize=512)
def _currency_marks(currency: str) -> tuple[str, ...]:
    """Everything that may stand for `currency` in a typed amount, longest first."""
    marks = {currency, *_CURRENCY_ALIASES.get(currency, ())}
    for locale in ("en", "fr", "lv", "de"):
        marks.add(get_currency_symbol(currency, locale=locale))
    marks = {_SPACES.sub("", mark).upper() for mark in marks}
    return tuple(sorted((m for m in marks if m), key=len, reverse=True))


def _strip_currency(text: str, currency: str) -> str:
    upper = text.upper()
    for mark in _currency_marks(currency):
        if upper.startswith(mark):
            return text[len(mark) :]
        if upper.endswith(mark):
            return text[: -len(mark)]
    return text


def _split_decimal(number: str, digits: int, locale: str) -> tuple[str, str]:
    """(whole, fraction) of a number written with "," or "." for grouping or decimals; the
    whole part keeps its grouping marks, for _valid_grouping.

    Both present: the last one is the decimal mark. One kind, several times: grouping.
    Once, before exactly three digits: grouping when the currency has no decimals or the mark
    is not the locale's decimal mark ("1,000" in English, "1.000" in French, "600.000" in
    F CFA); otherwise decimals ("25,00", "12.5").
    """
    marks = [c for c in number if c in ",."]
    if not marks:
        return number, ""
    if len(set(marks)) == 2:
        whole, _sep, fraction = number.rpartition(marks[-1])
        return whole, fraction
    if len(marks) > 1:
        return number, ""
    whole, _sep, fraction = number.partition(marks[0])
    groups_thousands = len(fraction) == 3 and (
        digits == 0 or marks[0] != get_decimal_symbol(locale)
    )
    return (number, "") if groups_thousands else (whole, fraction)


def _valid_grouping(number: str) -> bool:
    """Groups of three after the first: "1,000,000" yes, "1,00,0" no."""
    parts = re.split(r"[.,]", number)
    return len(parts) == 1 or all(len(part) == 3 for part in parts[1:])


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
    def parse(cls, text: str, currency: str, locale: str = "en") -> "Money":
        """Read an amount a person typed in major units, as people type them:
        "12", "12.5", "12,50", " 25 € ", "€25", "600 000 F CFA", "1,000.50", "1.000,50", "25.-".
        """
        cleaned = _WHOLE_MARK.sub("", _strip_currency(_SPACES.sub("", text or ""), currency))
        if not _DIGITS_AND_SEPARATORS.match(cleaned) or cleaned[-1] in ",.":
            raise InvalidAmount(text)
        digits = exponent(currency)
        whole, fraction = _split_decimal(cleaned, digits, locale)
        if not _valid_grouping(whole) or len(fraction.rstrip("0")) > digits:
            raise InvalidAmount(text)
        whole = whole.replace(",", "").replace(".", "")
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


@lru_cache(maxsize=256)
def _pattern_for(locale: str, currency: str) -> str:
    """The locale's pattern, with a word-like symbol moved after the number.

    English puts the symbol first and glued ("€25.00"), which reads "F CFA600,000" for
    a symbol made of letters; such a symbol goes after the number, as it is said and
    written where the currency is used: "600,000 F CFA", "25.00 CHF".
    """
    pattern = _pattern(locale, exponent(currency))
    symbol = get_currency_symbol(currency, locale=locale)
    if pattern.startswith("¤") and symbol[-1:].isalpha():
        return pattern[1:].strip() + "\u00a0¤"
    return pattern


def _format(value: Decimal, currency: str, locale: str) -> str:
    return format_currency(
        value,
        currency,
        format=_pattern_for(locale, currency),
        locale=locale,
        currency_digits=False,
        numbering_system="latn",
    )
