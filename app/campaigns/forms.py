"""The campaign form: what the organizer typed, turned into API-shaped input with errors
per field, and a campaign turned back into form values."""

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.campaigns.models import Campaign
from app.campaigns.schemas import CampaignCreate, CampaignUpdate
from app.errors import FieldError, ValidationFailed, field_errors_from_pydantic
from app.i18n import _, get_locale
from app.money import InvalidAmount, Money, is_currency

FORM_FIELDS = (
    "hashtag", "aliases", "title", "story", "beneficiary", "place",
    "currency", "goal", "starts_on", "ends_on", "time_zone",
)  # fmt: skip
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "XOF", "XAF", "CHF", "CAD", "JPY", "SEK", "NOK")


def _split_tags(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def typed_values(form: FormData) -> dict[str, str]:
    """What the person typed, to show it again next to the errors."""
    return {name: str(form.get(name, "")) for name in FORM_FIELDS}


def campaign_input(form: FormData, creating: bool) -> CampaignCreate | CampaignUpdate:
    """Turn the campaign form into API-shaped data; raise ValidationFailed with field errors."""
    values = {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}
    data: dict = {
        "title": values["title"],
        "story": values["story"],
        "beneficiary": values["beneficiary"],
        "place": values["place"],
        "currency": values["currency"],
        "aliases": _split_tags(values["aliases"]),
        "starts_on": values["starts_on"] or None,
        "ends_on": values["ends_on"] or None,
        # Left empty on creation, the zone is guessed from the place.
        "time_zone": values["time_zone"] or None,
    }
    if creating:
        data["hashtag"] = values["hashtag"]
    errors: list[FieldError] = []
    if values["goal"]:
        currency = values["currency"].upper()
        try:
            goal = Money.parse(
                values["goal"], currency if is_currency(currency) else "EUR", get_locale()
            )
            data["goal_minor"] = goal.amount_minor
        except InvalidAmount:
            errors.append(FieldError("goal", _("Enter an amount like 5000 or 5000.50.")))
    elif not creating:
        data["clear_goal"] = True
    schema = CampaignCreate if creating else CampaignUpdate
    try:
        parsed = schema.model_validate(data)
    except ValidationError as exc:
        errors = field_errors_from_pydantic(exc.errors(include_url=False), skip=()) + errors
        raise ValidationFailed(errors) from None
    if errors:
        raise ValidationFailed(errors)
    return parsed


def form_values(campaign: Campaign) -> dict:
    return {
        "hashtag": campaign.hashtag,
        "aliases": " ".join(f"#{tag}" for tag in campaign.aliases),
        "title": campaign.title,
        "story": campaign.story_md,
        "beneficiary": campaign.beneficiary,
        "place": campaign.place,
        "currency": campaign.currency,
        "goal": campaign.goal.major_text() if campaign.goal else "",
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
        "time_zone": campaign.time_zone,
    }
