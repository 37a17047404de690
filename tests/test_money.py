from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import MAX_AMOUNT_MINOR, InvalidAmount, Money, exponent, is_currency

CURRENCIES = ["EUR", "USD", "XOF", "JPY", "KWD", "ISK", "LVL" if is_currency("LVL") else "SEK"]


def spaces_to_ascii(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_exponents_follow_stripe():
    assert exponent("EUR") == 2
    assert exponent("XOF") == 0
    assert exponent("JPY") == 0
    assert exponent("KWD") == 3
    assert exponent("ISK") == 0


def test_formats_per_locale():
    assert Money(150, "EUR").format("en") == "€1.50"
    assert spaces_to_ascii(Money(150, "EUR").format("fr")) == "1,50 €"
    assert spaces_to_ascii(Money(600_000, "XOF").format("fr")) == "600 000 F CFA"
    assert Money(5000, "JPY").format("en") == "¥5,000"
    assert spaces_to_ascii(Money(12345, "KWD").format("en")) == "12.345 KWD"


def test_a_symbol_made_of_letters_is_never_glued_to_the_number():
    assert spaces_to_ascii(Money(600_000, "XOF").format("en")) == "600,000 F CFA"
    assert spaces_to_ascii(Money(2500, "CHF").format("en")) == "25.00 CHF"
    assert Money(2500, "USD").format("en") == "$25.00"


def test_parse_accepts_what_people_type():
    assert Money.parse("12", "EUR") == Money(1200, "EUR")
    assert Money.parse("12,5", "EUR") == Money(1250, "EUR")
    assert Money.parse("600 000", "XOF") == Money(600_000, "XOF")
    assert Money.parse("0.10", "EUR") == Money(10, "EUR")
    assert Money.parse(" 25 € ", "EUR") == Money(2500, "EUR")
    assert Money.parse("25,00", "EUR") == Money(2500, "EUR")
    assert Money.parse("€25", "EUR") == Money(2500, "EUR")
    assert Money.parse("25 euros", "EUR", "fr") == Money(2500, "EUR")
    assert Money.parse("25.-", "CHF") == Money(2500, "CHF")
    assert Money.parse("600 000 F CFA", "XOF", "fr") == Money(600_000, "XOF")
    assert Money.parse("5000 FCFA", "XOF") == Money(5000, "XOF")


@pytest.mark.parametrize(
    ("text", "locale", "minor"),
    [
        ("1,000", "en", 100_000),  # English groups with a comma
        ("1.000", "fr", 100_000),  # a point is not French for decimals: grouping
        ("1,000", "fr", 100),  # the French decimal comma
        ("1.000,50", "fr", 100_050),
        ("1,000.50", "en", 100_050),
        ("1 000 000,50", "fr", 100_000_050),
    ],
)
def test_parse_reads_separators_as_the_locale_writes_them(text, locale, minor):
    assert Money.parse(text, "EUR", locale) == Money(minor, "EUR")


def test_grouped_zero_decimal_amounts_are_whole_units():
    assert Money.parse("600,000", "XOF") == Money(600_000, "XOF")
    assert Money.parse("600.000", "XOF", "fr") == Money(600_000, "XOF")


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("", "EUR"),
        ("abc", "EUR"),
        ("-5", "EUR"),
        ("1.234", "EUR"),
        ("10.5", "XOF"),
        ("1e3", "EUR"),
        ("$25", "EUR"),  # another currency's sign: not silently taken as euros
        ("25.", "EUR"),
        ("1,00,0", "EUR"),
        ("1,000,00", "EUR"),
    ],
)
def test_parse_refuses_what_is_not_an_amount(text, currency):
    with pytest.raises(InvalidAmount):
        Money.parse(text, currency)


def test_money_refuses_floats_and_unknown_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")
    with pytest.raises(ValueError):
        Money(100, "ZZZ")
    with pytest.raises(ValueError):
        Money(100, "EUR") + Money(100, "USD")


def test_stripe_amount_for_isk_is_two_decimal():
    assert Money(300, "ISK").stripe_amount() == 30_000
    assert Money(600_000, "XOF").stripe_amount() == 600_000


@given(
    amount=st.integers(min_value=0, max_value=MAX_AMOUNT_MINOR),
    currency=st.sampled_from(CURRENCIES),
)
def test_major_text_round_trips_exactly(amount, currency):
    money = Money(amount, currency)
    assert Money.parse(money.major_text(), currency) == money


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(["en", "fr"]),
)
def test_what_is_shown_can_be_typed_back(amount, currency, locale):
    money = Money(amount, currency)
    assert Money.parse(money.format(locale), currency, locale) == money


@given(
    a=st.integers(min_value=-(10**12), max_value=10**12),
    b=st.integers(min_value=-(10**12), max_value=10**12),
    currency=st.sampled_from(CURRENCIES),
)
def test_addition_is_exact(a, b, currency):
    total = Money(a, currency) + Money(b, currency)
    assert total.amount_minor == a + b
    assert (total - Money(b, currency)) == Money(a, currency)


@given(amount=st.integers(min_value=0, max_value=10**12), currency=st.sampled_from(CURRENCIES))
def test_formatted_digits_match_the_amount(amount, currency):
    money = Money(amount, currency)
    text = money.format("en")
    digits = "".join(ch for ch in text if ch.isdigit())
    assert int(digits) == amount
    assert money.major == Decimal(amount).scaleb(-exponent(currency))
