"""What a campaign shows outside its own pages: the SVG badge, the share card, the Atom feed."""

import hashlib
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from app.formatting import absolute_url

CARD_SIZE = (1200, 630)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, even escaped: one would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def badge_svg(label: str, value: str) -> str:
    """A shields-style badge: '#palidzesim | €1,234 of €5,000'. Text widths are estimated."""
    left, right = 12 + 7 * len(label), 12 + 7 * len(value)
    width = left + right
    label, value = escape(label, {'"': "&quot;"}), escape(value, {'"': "&quot;"})
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="24" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="24" fill="#1b1f24"/>'
        f'<rect x="{left}" width="{right}" height="24" fill="#0b6e4f"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="12">'
        f'<text x="6" y="16">{label}</text><text x="{left + 6}" y="16">{value}</text></g></svg>'
    )


def load_font(size: int) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;: ") + "…"
    return [line for line in lines if line]


@lru_cache(maxsize=256)
def card_png(hashtag: str, title: str, summary: str, bar_percent: int | None) -> bytes:
    """The 1200×630 image social networks show; memoized on exactly what it displays, so it
    is drawn again only when the figures change."""
    image = Image.new("RGB", CARD_SIZE, "#0b6e4f")
    draw = ImageDraw.Draw(image)
    draw.text((70, 60), f"#{hashtag}", font=load_font(72), fill="#ffffff")
    y = 170
    for line in _wrap(draw, title, load_font(54), 1060, 2):
        draw.text((70, y), line, font=load_font(54), fill="#e8f5ef")
        y += 68
    if bar_percent is not None:
        draw.rounded_rectangle((70, 410, 1130, 450), radius=20, fill="#08543c")
        if bar_percent > 0:
            right = 70 + int(1060 * min(bar_percent, 100) / 100)
            draw.rounded_rectangle((70, 410, max(right, 110), 450), radius=20, fill="#ffbf47")
    for index, line in enumerate(_wrap(draw, summary, load_font(40), 1060, 2)):
        draw.text((70, 480 + index * 50), line, font=load_font(40), fill="#ffffff")
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def etag_for(*parts: object) -> str:
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def card_url(hashtag: str, title: str, raised_minor: int, donors: int) -> str:
    """The share card's absolute URL. Its version changes with the figures, so networks that
    cache preview images by URL pick up the new progress."""
    version = etag_for(title, raised_minor, donors).strip('"')[:12]
    return absolute_url(f"/h/{quote(hashtag)}/card.png?v={version}")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def atom_feed(*, feed_url: str, page_url: str, title: str, updated, entries: list[dict]) -> bytes:
    """An Atom 1.0 document; each entry: id, title, url, published, updated, author, html.

    Texts are XML-escaped by ElementTree; `html` must already be safe HTML (feed readers
    render it), and characters XML cannot hold are dropped."""
    ET.register_namespace("", ATOM)
    title = xml_text(title)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = title
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = item["url"]
        ET.SubElement(entry, f"{{{ATOM}}}title").text = xml_text(item["title"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=item["url"])
        ET.SubElement(entry, f"{{{ATOM}}}published").text = item["published"].isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = item["updated"].isoformat()
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = xml_text(item["author"])
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = xml_text(item["html"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
