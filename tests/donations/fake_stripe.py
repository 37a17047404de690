"""A small Stripe-compatible HTTP server: just the endpoints the adapter uses.

The real `stripe` SDK talks to it over HTTP (STRIPE_API_BASE), so the tests see exactly the
requests Stripe would receive: form-encoded parameters, the Bearer key, the Idempotency-Key.
"""

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_aidons_fake_key"


def nested(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (a[b][0][c]=x) back into dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_lists(node[key]) for key in sorted(node, key=int)]
        return {key: _lists(value) for key, value in node.items()}
    return node


@dataclass
class Recorded:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


@dataclass
class FakeStripe:
    url: str = ""
    sessions: dict = field(default_factory=dict)
    intents: dict = field(default_factory=dict)
    refunds: list = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    idempotent: dict = field(default_factory=dict)
    refuse: bool = False
    # Seconds every answer waits: a slow provider, to show it freezes nothing else.
    delay_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.sessions.clear()
            self.intents.clear()
            self.refunds.clear()
            self.requests.clear()
            self.idempotent.clear()
            self.refuse = False
            self.delay_seconds = 0.0

    def calls(self, method: str, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    # --- What happens on Stripe's side, driven by tests -------------------------------

    def pay(self, session_id: str, paid: bool = True) -> dict:
        """The donor pays (paid=False: an async method such as a bank debit is on its way)."""
        with self.lock:
            session = self.sessions[session_id]
            intent_id = "pi_" + secrets.token_hex(8)
            metadata = session["_intent_metadata"]
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "metadata": metadata,
                "status": "succeeded" if paid else "processing",
                "amount_refunded": 0,
            }
            session.update(
                status="complete",
                payment_status="paid" if paid else "unpaid",
                payment_intent=intent_id,
            )
            return public(session)

    def settle(self, session_id: str) -> dict:
        with self.lock:
            session = self.sessions[session_id]
            session["payment_status"] = "paid"
            self.intents[session["payment_intent"]]["status"] = "succeeded"
            return public(session)

    def decline(self, session_id: str) -> dict:
        """The donor's card is refused on the checkout page: the session stays open and its
        PaymentIntent waits for another card. Returns the PaymentIntent, as the
        payment_intent.payment_failed event carries it."""
        with self.lock:
            session = self.sessions[session_id]
            intent_id = session.get("payment_intent") or "pi_" + secrets.token_hex(8)
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "metadata": session["_intent_metadata"],
                "status": "requires_payment_method",
                "amount_refunded": 0,
                "last_payment_error": {"code": "card_declined", "type": "card_error"},
            }
            self.intents[intent_id] = intent
            session["payment_intent"] = intent_id
            return dict(intent)

    def expire(self, session_id: str) -> dict:
        with self.lock:
            self.sessions[session_id]["status"] = "expired"
            return public(self.sessions[session_id])

    # --- HTTP endpoints ------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict, key: str | None) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(Recorded(method, path, params, key))
            if key and (method, path, key) in self.idempotent:
                sent, status, body = self.idempotent[(method, path, key)]
                if sent != params:
                    return 400, error("idempotency_error", "Keys must be reused with same params")
                return status, body
            status, body = self._route(method, path, params)
            if key and method == "POST":
                self.idempotent[(method, path, key)] = (params, status, body)
            return status, body

    def _route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if self.refuse:
            return 400, error("invalid_request_error", "Refused by the fake for this test")
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(params)
        match = re.fullmatch(r"/v1/checkout/sessions/([\w-]+)", path)
        if method == "GET" and match:
            found = self.sessions.get(match.group(1))
            return (200, public(found)) if found else (404, error("invalid_request_error", "No"))
        match = re.fullmatch(r"/v1/payment_intents/([\w-]+)", path)
        if method == "GET" and match:
            found = self.intents.get(match.group(1))
            return (200, found) if found else (404, error("invalid_request_error", "No"))
        if method == "POST" and path == "/v1/refunds":
            return self._refund(params)
        return 404, error("invalid_request_error", f"Unrecognized request URL ({path})")

    def _create_session(self, params: dict) -> dict:
        session_id = "cs_test_" + secrets.token_hex(12)
        item = params["line_items"][0]
        amount = int(item["price_data"]["unit_amount"]) * int(item["quantity"])
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "submit_type": params.get("submit_type"),
            "amount_total": amount,
            "currency": item["price_data"]["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "expires_at": int(params["expires_at"]),
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "created": int(time.time()),
            "_intent_metadata": params.get("payment_intent_data", {}).get("metadata", {}),
        }
        self.sessions[session_id] = session
        return public(session)

    def _refund(self, params: dict) -> tuple[int, dict]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return 404, error("invalid_request_error", "No such payment_intent")
        amount = int(params.get("amount", intent["amount"] - intent["amount_refunded"]))
        if amount > intent["amount"] - intent["amount_refunded"]:
            return 400, error("invalid_request_error", "Refund is greater than unrefunded amount")
        intent["amount_refunded"] += amount
        refund = {
            "id": "re_" + secrets.token_hex(8),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self.refunds.append(refund)
        return 200, refund


def public(session: dict) -> dict:
    return {key: value for key, value in session.items() if not key.startswith("_")}


def error(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}


def serve(fake: FakeStripe, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _answer(self, method: str) -> None:
            if fake.delay_seconds:
                time.sleep(fake.delay_seconds)
            if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                status, body = 401, error("invalid_request_error", "Invalid API Key provided")
            else:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                query = raw if method == "POST" else parts.query
                params = nested(parse_qsl(query, keep_blank_values=True))
                key = self.headers.get("Idempotency-Key")
                status, body = fake.handle(method, parts.path, params, key)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", "req_" + secrets.token_hex(6))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{port}"
    return server
