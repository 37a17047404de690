"""Every status a person reads, in one registry: (kind, status) → a label in their language.

Python calls `status_label("pledge", pledge.status)`; templates call the same function (a Jinja
global) or the filter `{{ pledge.status | status_label("pledge") }}`, and macros.html's
`status_badge(kind, status)` draws the coloured badge. Labels are marked with N_() and
translated when shown, so each request gets its own language.
"""

from app.i18n import N_, _

LABELS: dict[str, dict[str, str]] = {
    "campaign": {
        "draft": N_("draft"),
        "live": N_("live"),
        "paused": N_("paused"),
        "closed": N_("closed"),
    },
    "donation": {
        "pending": N_("pending"),
        "succeeded": N_("succeeded"),
        "failed": N_("failed"),
        "expired": N_("expired"),
        "partially_refunded": N_("partially refunded"),
        "refunded": N_("refunded"),
        "disputed": N_("disputed"),
    },
    "pledge": {
        "pledged": N_("pledged"),
        "partially_received": N_("partially received"),
        "received": N_("received"),
        "cancelled": N_("cancelled"),
        "expired": N_("expired"),
        "waitlisted": N_("on the waiting list"),
    },
    "update": {
        "draft": N_("draft"),
        "pending": N_("waiting for approval"),
        "published": N_("published"),
        "retracted": N_("retracted"),
    },
    "expense": {
        "recorded": N_("recorded"),
        "voided": N_("Cancelled"),
    },
    "refusal_reason": {
        "opened": N_("opened"),
        "expired": N_("past its date"),
        "wrong_size": N_("wrong size"),
        "other": N_("other"),
    },
    "role": {
        "owner": N_("owner"),
        "organizer": N_("organizer"),
        "volunteer": N_("volunteer"),
    },
}


def status_label(kind: str, status: str) -> str:
    """The label of a status of this kind ("pledge", "donation"…), in the current language."""
    return _(LABELS[kind][str(status)])


def choices(kind: str) -> list[tuple[str, str]]:
    """Every status of a kind with its label, in the registry's order: for select boxes."""
    return [(status, _(label)) for status, label in LABELS[kind].items()]
