"""Limits on starting gifts that stop card testing without turning away a crowd.

Card testing shows itself as many declined or abandoned gifts, not as many gifts: a viral
campaign gets hundreds of starts a minute from everywhere, and phones behind one carrier NAT
share an address. So nothing caps a campaign's volume. What a start may have to do instead:

- carry a solved proof of work (app/donations/challenge.py) when its client (IP address) or
  its campaign has recently failed often (declined, failed or abandoned gifts making up most of
  those settled), when one address starts very many gifts, or one email keeps retrying;
- wait (429 with Retry-After) only at a rate no crowd behind one address reaches, or after
  many wrong proofs.

The signals are counters (app/ratelimit.py: Redis when configured, else the database): a start
adds one and reads the others in one query; a gift's outcome adds one to its client's and its
campaign's counters. A pending gift remembers its client as a keyed hash of the address that
changes every day, cleared once the gift is settled.
"""

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from app import ratelimit
from app.accounts.deps import client_ip
from app.config import get_settings
from app.db import utcnow
from app.donations import challenge
from app.donations.challenge import Challenge
from app.donations.models import Donation, Provider


@dataclass(frozen=True)
class Gate:
    """What a gift start must do before the provider is called."""

    client: str
    # A proof of work to solve first (None: the start may go on).
    challenge: Challenge | None = None
    # The proof that came with the start was wrong, expired or already used.
    wrong_proof: bool = False
    # Seconds to wait (a 429) when the client is over the absolute limits.
    retry_after: int | None = None
    # Whether starts are being checked now (a form shown again gets a fresh challenge).
    suspicious: bool = False


def client_key(ip: str) -> str:
    """A daily keyed hash of the client's address (an IPv6 /64 is one client)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        name = ip[:64]
    else:
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address.version == 6:
            name = str(ipaddress.ip_network(f"{address}/64", strict=False))
        else:
            name = str(address)
    day = utcnow().date().isoformat()
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"gift-client|{day}|{name}".encode(), hashlib.sha256).hexdigest()[:24]


def _email_key(email: str | None) -> str | None:
    if not email or not email.strip():
        return None
    secret = get_settings().secret_key.encode()
    address = email.strip().lower().encode()
    return f"gift:email:{hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]}"


def _failing(failures: float, successes: float, threshold: int, share: float) -> bool:
    return failures >= threshold and failures >= share * (failures + successes)


async def _signals(
    session: AsyncSession, client: str, campaign_id: int, email_key: str | None
) -> tuple[dict[str, float], dict[str, str]]:
    keys = {
        "starts": f"gift:start:{client}",
        "wrong": f"gift:wrongpow:{client}",
        "client_failed": f"gift:fail:{client}",
        "client_paid": f"gift:ok:{client}",
        "campaign_failed": f"gift:fail:campaign:{campaign_id}",
        "campaign_paid": f"gift:ok:campaign:{campaign_id}",
    }
    if email_key:
        keys["email"] = email_key
    window = get_settings().gift_limit_window_seconds
    counts = await ratelimit.recent(session, list(keys.values()), window)
    return {name: counts[key] for name, key in keys.items()}, keys


def _suspicious(seen: dict[str, float]) -> bool:
    settings = get_settings()
    share = settings.gift_challenge_failure_share
    return (
        _failing(
            seen["client_failed"],
            seen["client_paid"],
            settings.gift_challenge_client_failures,
            share,
        )
        or _failing(
            seen["campaign_failed"],
            seen["campaign_paid"],
            settings.gift_challenge_campaign_failures,
            share,
        )
        or seen["starts"] > settings.gift_challenge_client_starts
        or seen.get("email", 0) > settings.gift_challenge_email_starts
    )


async def check_start(
    session: AsyncSession,
    request: Request,
    campaign_id: int,
    email: str | None,
    solution: str | None,
) -> Gate:
    """Count this start and say whether it may go on, needs a proof of work, or must wait."""
    settings = get_settings()
    window = settings.gift_limit_window_seconds
    client = client_key(client_ip(request))
    email_key = _email_key(email)
    await ratelimit.note(session, f"gift:start:{client}", window)
    if email_key:
        await ratelimit.note(session, email_key, window)
    seen, keys = await _signals(session, client, campaign_id, email_key)
    if (
        seen["starts"] > settings.gift_refuse_client_starts
        or seen["wrong"] >= settings.gift_refuse_wrong_proofs
    ):
        return Gate(client, retry_after=window)
    if not _suspicious(seen):
        return Gate(client)
    if solution and await challenge.redeem(session, solution, campaign_id):
        return Gate(client, suspicious=True)
    if solution:
        await ratelimit.note(session, keys["wrong"], window)
    return Gate(
        client,
        challenge=challenge.new_challenge(campaign_id),
        wrong_proof=bool(solution),
        suspicious=True,
    )


async def form_challenge(session: AsyncSession, request: Request, campaign_id: int):
    """A challenge for the donation form when its next start will need one (counts nothing),
    so the browser solves it while the donor types."""
    client = client_key(client_ip(request))
    seen, _keys = await _signals(session, client, campaign_id, None)
    return challenge.new_challenge(campaign_id) if _suspicious(seen) else None


# --- Outcomes (called where a gift changes state) ------------------------------------------


async def record_outcome(session: AsyncSession, donation: Donation, paid: bool) -> None:
    """A gift settled: count it for its client and its campaign, then forget the client."""
    if donation.provider == Provider.OFFLINE:
        return
    window = get_settings().gift_limit_window_seconds
    kind = "ok" if paid else "fail"
    await ratelimit.note(session, f"gift:{kind}:campaign:{donation.campaign_id}", window)
    if donation.client_key:
        await ratelimit.note(session, f"gift:{kind}:{donation.client_key}", window)
        donation.client_key = None


async def record_decline(session: AsyncSession, donation: Donation) -> None:
    """A card was declined on the provider's page; the checkout stays open for another try."""
    window = get_settings().gift_limit_window_seconds
    await ratelimit.note(session, f"gift:fail:campaign:{donation.campaign_id}", window)
    if donation.client_key:
        await ratelimit.note(session, f"gift:fail:{donation.client_key}", window)
