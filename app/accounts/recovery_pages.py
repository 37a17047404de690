"""Pages behind the emailed links: forgotten password, new password, email confirmation."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from app import ratelimit
from app.accounts import recovery, service, verification
from app.accounts.deps import CurrentUser, OptionalUser, client_ip, set_session_cookie
from app.accounts.links import LinkUnusable
from app.db import SessionDep, WriteSessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.web import redirect, render, verify_csrf

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

RESET_LIMIT_PER_IP = (20, 3600)
# Per address: a person whose mail is slow asks again; nobody fills a stranger's inbox.
RESET_LIMIT_PER_EMAIL = (3, 3600)
RESEND_LIMIT_PER_ACCOUNT = (3, 3600)
PRIVATE = {"Cache-Control": "private, no-store"}


def link_unusable(request: Request, exc: LinkUnusable, kind: str):
    context = {"reason": exc.reason, "kind": kind}
    status = 404 if exc.reason == "unknown" else exc.status_code
    return render(request, "accounts/link_unusable.html", context, status, headers=PRIVATE)


@pages.get("/forgot-password")
async def forgot_form(request: Request, email: str = ""):
    context = {"values": {"email": email[:254]}, "errors": {}, "sent": False}
    context["mail_enabled"] = verification.mail_enabled()
    return render(request, "accounts/forgot.html", context)


@pages.post("/forgot-password")
async def forgot(request: Request, session: WriteSessionDep, email: Annotated[str, Form()] = ""):
    context = {"values": {"email": email}, "errors": {}, "sent": False, "mail_enabled": True}
    try:
        normalized = service.normalize_email(email)
    except ValueError as exc:
        context["errors"] = {"email": str(exc)}
        return render(request, "accounts/forgot.html", context, 422)
    if not await ratelimit.hit(session, f"reset:ip:{client_ip(request)}", *RESET_LIMIT_PER_IP):
        context["errors"] = {
            "form": _("Too many attempts. Please wait a few minutes and try again.")
        }
        return render(request, "accounts/forgot.html", context, 429, headers={"Retry-After": "600"})
    # Over the limit for this address, the answer stays the same: no new email, that is all.
    address_key = hashlib.sha256(normalized.encode()).hexdigest()[:32]  # no address in clear
    if await ratelimit.hit(session, f"reset:email:{address_key}", *RESET_LIMIT_PER_EMAIL):
        await recovery.request_reset(session, normalized)
    context["sent"] = True
    return render(request, "accounts/forgot.html", context)


@pages.get("/reset/{token}")
async def reset_form(request: Request, session: SessionDep, token: str):
    try:
        await recovery.check_reset_link(session, token)
    except LinkUnusable as exc:
        return link_unusable(request, exc, "reset")
    context = {"token": token, "errors": {}}
    return render(request, "accounts/reset.html", context, headers=PRIVATE)


@pages.post("/reset/{token}")
async def reset(
    request: Request,
    session: WriteSessionDep,
    token: str,
    password: Annotated[str, Form()] = "",
):
    try:
        user = await recovery.reset_password(session, token, password)
    except LinkUnusable as exc:
        return link_unusable(request, exc, "reset")
    except ValidationFailed as exc:
        context = {"token": token, "errors": exc.by_field()}
        return render(request, "accounts/reset.html", context, 422, headers=PRIVATE)
    raw = await service.start_session(session, user, request.headers.get("user-agent", ""))
    response = redirect(
        "/dashboard",
        _("Your new password is set. Every other device was signed out; this one is signed in."),
    )
    set_session_cookie(response, raw)
    return response


@pages.get("/verify-email/{token}")
async def verify_email(request: Request, session: WriteSessionDep, token: str, user: OptionalUser):
    try:
        verified, changed = await verification.verify(session, token)
    except LinkUnusable as exc:
        return link_unusable(request, exc, "verify")
    message = (
        _("Your account now uses %(email)s.", email=verified.email)
        if changed
        else _("Thank you: your email address is confirmed.")
    )
    return redirect("/account", message)


@pages.post("/account/verify/resend")
async def resend_verification(session: WriteSessionDep, user: CurrentUser):
    if user.email_verified:
        return redirect("/account", _("Your email address is already confirmed."))
    key = f"verify:user:{user.id}"
    if not await ratelimit.hit(session, key, *RESEND_LIMIT_PER_ACCOUNT):
        return redirect(
            "/account",
            _("We already sent several links in the last hour. Check your spam folder."),
            "error",
        )
    await verification.send_link(session, user)
    return redirect("/account", _("We sent a new link to %(email)s.", email=user.email))
