import re

import pytest
from babel.messages.pofile import read_po

from app.i18n import LOCALE_DIR, LOCALES, negotiate_locale
from scripts.messages import extract

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_every_string_in_the_code_is_translated(locale):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    for message in extract():
        if not message.id:
            continue
        translated = catalog.get(message.id)
        assert translated is not None and translated.string, f"untranslated: {message.id!r}"
        assert not translated.fuzzy, f"fuzzy: {message.id!r}"
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = (
            translated.string if isinstance(translated.string, tuple) else (translated.string,)
        )
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == expected, f"placeholders differ: {target!r}"


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        (None, "lv-LV,lv;q=0.9,fr;q=0.5", "fr"),
        (None, "de-DE", "en"),
        (None, None, "en"),
        ("en", "fr", "en"),
        ("xx", "fr", "fr"),
        (None, "fr;q=garbage", "en"),
    ],
)
def test_locale_negotiation(cookie, header, expected):
    assert negotiate_locale(cookie, header) == expected


async def test_french_labels_put_a_space_before_the_colon(client, session):
    from tests.factories import create_campaign, log_in

    await create_campaign(session)
    await log_in(client, "owner-palidzesim@example.org")
    client.cookies.set("aidons_lang", "fr")
    footer = (await client.get("/")).text
    assert "Langue :" in footer and "Langue:" not in footer
    form = (await client.get("/dashboard/c/palidzesim/edit")).text
    assert "Hashtag :" in form and "Hashtag:" not in form
