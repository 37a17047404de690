"""Operations endpoints: liveness, readiness, uploaded media, language switch, benchmark."""

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import text

from app.config import get_settings
from app.db import SessionDep, database
from app.errors import NotFound
from app.i18n import LOCALE_COOKIE, LOCALES, _
from app.media import image_bytes

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz():
    return PlainTextResponse("ok")


@router.get("/readyz")
async def readyz():
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/media/{digest}.jpg")
async def media(digest: str, session: SessionDep):
    found = await image_bytes(session, digest)
    if found is None:
        raise NotFound(_("This image does not exist."))
    data, content_type = found
    return Response(
        data,
        media_type=content_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/lang/{code}")
async def switch_language(code: str, request: Request, next: str = "/"):
    parts = urlsplit(next)
    target = (
        next if next.startswith("/") and not parts.netloc and not next.startswith("//") else "/"
    )
    response = RedirectResponse(target, status_code=303)
    if code in LOCALES:
        response.set_cookie(
            LOCALE_COOKIE,
            code,
            max_age=365 * 86400,
            samesite="lax",
            secure=get_settings().https,
        )
    return response


def bench_router() -> APIRouter:
    """A bare endpoint returning N bytes, to compare a page against the framework's floor."""
    bench = APIRouter(include_in_schema=False)

    @bench.get("/_bench/bare")
    async def bare(size: int = 1000):
        return Response(b"x" * max(0, min(size, 1_000_000)), media_type="text/html")

    return bench


def bench_enabled() -> bool:
    return get_settings().enable_bench_endpoint
