"""Stripe's webhook: signed events move donations along (recorded once per event id)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.db import WriteSessionDep
from app.donations import service
from app.errors import problem_response
from app.i18n import _
from app.payments import stripe as stripe_provider
from app.payments.base import BadSignature

webhooks = APIRouter(include_in_schema=False)


@webhooks.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: WriteSessionDep):
    payload = await request.body()
    try:
        event = stripe_provider.verify_event(payload, request.headers.get("stripe-signature"))
    except BadSignature:
        return problem_response(
            request, 400, _("Bad request"), _("The webhook signature is missing or invalid.")
        )
    outcome = await service.handle_stripe_event(session, event)
    return JSONResponse({"received": True, "outcome": outcome})
