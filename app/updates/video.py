"""Video links in updates: accepted only from known video sites, shown as plain links.

A plain link loads nothing from the video site until the visitor clicks: no tracking
cookies and no third-party requests on our pages.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from app.i18n import _

VIDEO_SITES = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "vimeo.com": "Vimeo",
    "dailymotion.com": "Dailymotion",
    "dai.ly": "Dailymotion",
    "facebook.com": "Facebook",
    "fb.watch": "Facebook",
    "instagram.com": "Instagram",
    "tiktok.com": "TikTok",
    "x.com": "X",
    "twitter.com": "X",
}


# What clean_video_url accepts, for the API's documentation: nothing, or an https link to one
# of the sites above (a narrower pattern than the check: no other port, no user name).
VIDEO_URL_PATTERN = (
    r"^(?:https://(?:www\.|m\.)?(?:"
    + "|".join(re.escape(host) for host in sorted(VIDEO_SITES))
    + r")(?:[/?#]\S*)?)?$"
)


def video_site(host: str) -> str | None:
    host = host.lower().removeprefix("www.").removeprefix("m.")
    return VIDEO_SITES.get(host)


def clean_video_url(value: str) -> str:
    """The URL as stored, or "" for none. Raises ValueError with a message for a person."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ValueError(_("Use an https:// link to the video."))
    if video_site(parts.hostname) is None:
        raise ValueError(
            _("Use a link from YouTube, Vimeo, Dailymotion, Facebook, Instagram, TikTok or X.")
        )
    if len(value) > 500:
        raise ValueError(_("This link is too long."))
    return urlunsplit(("https", parts.hostname.lower(), parts.path, parts.query, ""))
