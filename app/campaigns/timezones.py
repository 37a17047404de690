"""A campaign's time zone: IANA names ("Europe/Riga"), validated against the system's
zoneinfo database, with a first guess taken from the campaign's place."""

import re
from functools import cache
from zoneinfo import available_timezones

from app.campaigns.search import fold
from app.config import get_settings
from app.i18n import _


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every zone a campaign may use, sorted; legacy aliases such as "US/Eastern" left out."""
    names = {name for name in available_timezones() if "/" in name or name == "UTC"}
    return tuple(sorted(name for name in names if not name.startswith(("Etc/", "SystemV/"))))


@cache
def _by_city() -> dict[str, str]:
    # "riga" -> "Europe/Riga", "new york" -> "America/New_York"
    return {
        name.rsplit("/", 1)[-1].replace("_", " ").casefold(): name for name in time_zone_names()
    }


def check_time_zone(value: str) -> str:
    """The IANA name as given, or ValueError with a message for a person."""
    name = (value or "").strip()
    if name not in set(time_zone_names()):
        raise ValueError(_("Choose a time zone from the list, for example Europe/Riga."))
    return name


def default_time_zone(place: str = "") -> str:
    """The zone of a city named in the place ("Rīga, Latvia" -> Europe/Riga), else the
    instance's default (settings.default_time_zone)."""
    for part in re.split(r"[,;/()]", place or ""):
        if zone := _by_city().get(fold(part.strip())):
            return zone
    return get_settings().default_time_zone
