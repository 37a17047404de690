"""The proof of work a gift start may have to carry: an ALTCHA challenge, made and checked here.

The browser (static/altcha.js) or an API client finds the number n (below maxnumber) for
which SHA-256(salt + n) equals `challenge`, and sends back base64(JSON {algorithm, challenge,
number, salt, signature}), the payload ALTCHA widgets send. The salt carries the challenge's
expiry and campaign, signed with the app's secret: a solution is good for one campaign, once,
until it expires. No third party is involved.
"""

import base64
import binascii
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from altcha import create_challenge_v1, verify_solution_v1
from sqlalchemy.ext.asyncio import AsyncSession

from app import ratelimit
from app.config import get_settings

ALGORITHM = "SHA-256"
# Form field and API header that carry a solution.
FIELD = "altcha"
# The API's 428 problem that carries a challenge (RFC 9457 `type`).
PROBLEM_TYPE = "urn:aidons:problem:challenge-required"
# base64 of a JSON object of five short strings and a number: nothing real is longer.
MAX_PAYLOAD = 2000


@dataclass(frozen=True)
class Challenge:
    algorithm: str
    challenge: str
    maxnumber: int
    salt: str
    signature: str

    def as_dict(self) -> dict:
        return {
            "algorithm": self.algorithm,
            "challenge": self.challenge,
            "maxnumber": self.maxnumber,
            "salt": self.salt,
            "signature": self.signature,
        }


def _hmac_key() -> str:
    return "altcha:" + get_settings().secret_key


def new_challenge(campaign_id: int) -> Challenge:
    settings = get_settings()
    expires = datetime.now(UTC) + timedelta(seconds=settings.gift_challenge_lifetime_seconds)
    made = create_challenge_v1(
        algorithm=ALGORITHM,
        max_number=settings.gift_challenge_max_number,
        hmac_key=_hmac_key(),
        expires=expires,
        params={"campaign": str(campaign_id)},
    )
    return Challenge(made.algorithm, made.challenge, made.max_number, made.salt, made.signature)


def _payload(text: str) -> dict | None:
    """The solution's fields when they have the right types; None for anything else."""
    if not text or len(text) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    strings = ("algorithm", "challenge", "salt", "signature")
    if not all(isinstance(data.get(name), str) for name in strings):
        return None
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 10**9:
        return None
    return {name: data[name] for name in (*strings, "number")}


def _expiry(salt: str) -> int | None:
    params = parse_qs(salt.partition("?")[2])
    try:
        return int(params["expires"][0])
    except (KeyError, ValueError):
        return None


def verify(text: str, campaign_id: int) -> dict | None:
    """The solution when it solves a challenge we made for this campaign that has not expired."""
    payload = _payload(text)
    if payload is None or payload["algorithm"] != ALGORITHM:
        return None
    ok, _error = verify_solution_v1(payload, _hmac_key(), check_expires=True)
    if not ok:
        return None
    params = parse_qs(payload["salt"].partition("?")[2])
    expires = _expiry(payload["salt"])
    if params.get("campaign") != [str(campaign_id)] or expires is None:
        return None
    if expires < time.time():
        return None
    return payload


async def redeem(session: AsyncSession, text: str, campaign_id: int) -> bool:
    """Verify a solution and mark it used: True once for each solved challenge."""
    payload = verify(text, campaign_id)
    if payload is None:
        return False
    until = _expiry(payload["salt"]) or 0
    return await ratelimit.claim_once(session, f"altcha:{payload['signature']}", until)
