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
    assert Money(12345, "KWD").format("en").endswith("12.345")


def test_parse_accepts_what_people_type():
    assert Money.parse("12", "EUR") == Money(1200, "EUR")
    assert Money.parse("12,5", "EUR") == Money(1250, "EUR")
    assert Money.parse("600 000", "XOF") == Money(600_000, "XOF")
    assert Money.parse("0.10", "EUR") == Money(10, "EUR")


@pytest.mark.parametrize(
    ("text", "currency"),
    [("", "EUR"), ("abc", "EUR"), ("-5", "EUR"), ("1.234", "EUR"), ("10.5", "XOF"), ("1e3", "EUR")],
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
