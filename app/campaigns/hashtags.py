"""Hashtags as people write them: Unicode letters, digits and underscores."""

import unicodedata

from app.i18n import _

MAX_HASHTAG_LENGTH = 60


def parse_hashtag(text: str) -> str:
    """The hashtag as written, without '#'. Raises ValueError with a message for a person."""
    tag = unicodedata.normalize("NFC", (text or "").strip()).removeprefix("#")
    if not tag:
        raise ValueError(_("Enter a hashtag, for example #palidzesim."))
    if len(tag) > MAX_HASHTAG_LENGTH:
        raise ValueError(_("A hashtag has at most %(n)s characters.", n=MAX_HASHTAG_LENGTH))
    for char in tag:
        if char != "_" and unicodedata.category(char)[0] not in "LNM":
            raise ValueError(
                _("A hashtag may contain only letters, digits and _ (no spaces or punctuation).")
            )
    if not any(unicodedata.category(char)[0] == "L" for char in tag):
        raise ValueError(_("A hashtag needs at least one letter."))
    return tag


def hashtag_key(text: str) -> str:
    """The lookup key: '#PALIDZESIM', 'palidzesim' and 'Palīdzēsim' in NFD all meet here."""
    return unicodedata.normalize("NFKC", (text or "").strip().removeprefix("#")).casefold()
