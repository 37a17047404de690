"""Uploaded images: validated, rebuilt from their pixels (no metadata survives), kept in the
database.

Images live in the database so every worker on every machine serves the same bytes; their
URLs carry a content hash and are cached forever by browsers and CDNs.
"""

import hashlib
from io import BytesIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.config import get_settings
from app.db import Base, UTCDateTime, utcnow
from app.errors import FieldError, ValidationFailed
from app.i18n import _

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # larger images raise DecompressionBombError


class MediaFile(Base):
    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def url(self) -> str:
        return f"/media/{self.sha256}.jpg"


def pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image holding only the pixels. Pillow carries `info` (JPEG COM comments, GIF
    comments, EXIF, XMP, ICC profiles…) through convert() and writes parts of it back on save:
    an image built from the raw pixel bytes has nothing to write."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as browsers assume them once the embedded profile is gone (a phone's Display P3
    photo would otherwise look washed out)."""
    if profile := image.info.get("icc_profile"):
        try:
            source = ImageCms.ImageCmsProfile(BytesIO(profile))
            srgb = ImageCms.createProfile("sRGB")
            return ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile, or a mode it cannot convert: keep the pixels as they are
    return image.convert("RGB")


def reencode_image(
    raw: bytes, field: str = "image", max_side: int = MAX_SIDE
) -> tuple[bytes, int, int]:
    """Return JPEG bytes built from the pixels alone, at most max_side pixels wide or high."""

    def invalid(message: str) -> ValidationFailed:
        return ValidationFailed([FieldError(field, message)])

    if len(raw) > get_settings().max_upload_bytes:
        limit_mb = get_settings().max_upload_bytes // (1024 * 1024)
        raise invalid(_("The image is too large (at most %(mb)s MB).", mb=limit_mb))
    try:
        with Image.open(BytesIO(raw)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
        if image_format not in ACCEPTED_FORMATS:
            raise invalid(_("Upload a JPEG, PNG, WebP or GIF image."))
        if width * height > MAX_PIXELS:
            raise invalid(_("The image has too many pixels."))
        with Image.open(BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image)
            image = _to_srgb(image)
            image.thumbnail((max_side, max_side))
            image = pixels_only(image)
            out = BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise invalid(_("This file is not an image we can read.")) from None


async def store_image(
    session: AsyncSession,
    raw: bytes,
    uploaded_by_id: int | None,
    field: str = "image",
    max_side: int = MAX_SIDE,
) -> MediaFile:
    data, width, height = reencode_image(raw, field, max_side)
    digest = hashlib.sha256(data).hexdigest()
    existing = await session.scalar(select(MediaFile).where(MediaFile.sha256 == digest))
    if existing:
        return existing
    media = MediaFile(
        sha256=digest,
        content_type="image/jpeg",
        width=width,
        height=height,
        data=data,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(media)
    await session.flush()
    return media


async def image_bytes(session: AsyncSession, digest: str) -> tuple[bytes, str] | None:
    """The stored bytes and content type for a media URL's digest, or None."""
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        return None
    row = (
        await session.execute(
            select(MediaFile.data, MediaFile.content_type).where(MediaFile.sha256 == digest)
        )
    ).first()
    return (row.data, row.content_type) if row else None
