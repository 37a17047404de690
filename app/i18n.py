"""Translations: English source strings, Babel catalogs, locale per request."""

import gettext as gettext_module
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("en", "fr")
LOCALE_NAMES = {"en": "English", "fr": "Français"}
LOCALE_DIR = Path(__file__).parent / "locale"
LOCALE_COOKIE = "aidons_lang"

_current_locale: ContextVar[str] = ContextVar("locale", default="en")


@lru_cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """Compile the .po catalog in memory: no build step, and the .po stays the source."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def get_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str):
    return _current_locale.set(locale if locale in LOCALES else LOCALES[0])


def reset_locale(token) -> None:
    _current_locale.reset(token)


def gettext(message: str, **variables) -> str:
    text = translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def raw_gettext(message: str) -> str:
    """For Jinja's newstyle gettext, which fills the placeholders itself."""
    return translations(get_locale()).gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def negotiate_locale(cookie_value: str | None, accept_language: str | None) -> str:
    if cookie_value in LOCALES:
        return cookie_value
    if accept_language:
        preferred = []
        for part in accept_language.split(","):
            tag, _sep, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if tag and quality > 0:
                preferred.append((quality, tag.strip().replace("-", "_")))
        ordered = [tag for _q, tag in sorted(preferred, key=lambda item: -item[0])]
        try:
            match = Locale.negotiate(ordered, LOCALES, sep="_")
        except (UnknownLocaleError, ValueError):
            match = None
        if match is not None:
            return str(match.language)
    return LOCALES[0]
