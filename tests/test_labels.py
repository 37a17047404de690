"""app/labels.py: one registry of the statuses people read, in their language."""

import pytest

from app.accounts.models import Role
from app.campaigns.models import CampaignStatus
from app.donations.models import DonationStatus
from app.i18n import reset_locale, set_locale
from app.inkind.models import PledgeStatus, RefusalReason
from app.labels import LABELS, choices, status_label
from app.updates.models import UpdateStatus
from tests.factories import create_campaign, log_in

KINDS = {
    "campaign": CampaignStatus,
    "donation": DonationStatus,
    "pledge": PledgeStatus,
    "update": UpdateStatus,
    "refusal_reason": RefusalReason,
    "role": Role,
}


@pytest.mark.parametrize(("kind", "enum"), KINDS.items())
def test_every_status_of_every_kind_has_a_label(kind, enum):
    assert set(LABELS[kind]) == {member.value for member in enum}
    assert all(status_label(kind, member) for member in enum)


def test_labels_are_translated_when_asked_not_when_imported():
    token = set_locale("fr")
    try:
        assert status_label("pledge", PledgeStatus.WAITLISTED) == "en liste d’attente"
        assert status_label("update", "pending") == "en attente d’approbation"
        assert ("wrong_size", "mauvaise taille") in choices("refusal_reason")
    finally:
        reset_locale(token)
    assert status_label("pledge", "waitlisted") == "on the waiting list"
    with pytest.raises(KeyError):
        status_label("pledge", "lost")


async def test_pages_show_the_registry_labels(client, session):
    await create_campaign(session, hashtag="pausedone", status=CampaignStatus.PAUSED)
    await log_in(client, "owner-pausedone@example.org")
    client.cookies.set("aidons_lang", "fr")
    dashboard = (await client.get("/dashboard")).text
    assert '<span class="badge status-paused">en pause</span>' in dashboard
    volunteers = (await client.get("/dashboard/c/pausedone/goods/volunteers")).text
    assert "· propriétaire" in volunteers  # the role, translated, not "owner"
