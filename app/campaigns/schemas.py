"""What the API accepts and shows for campaigns."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.campaigns.hashtags import parse_hashtag
from app.campaigns.models import CampaignStatus
from app.campaigns.timezones import check_time_zone, time_zone_names
from app.fields import Hashtag, currency_schema, stripped
from app.i18n import _
from app.inkind.schemas import NeedOut
from app.inputs import Input
from app.money import MAX_AMOUNT_MINOR, is_currency


def _currency(value: str) -> str:
    code = (value or "").strip().upper()
    if not is_currency(code):
        raise ValueError(_("Choose a currency by its ISO code, for example EUR, USD or XOF."))
    return code


def _aliases(values: list[str]) -> list[str]:
    seen, result = set(), []
    for value in values:
        tag = parse_hashtag(value)
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            result.append(tag)
    if len(result) > 10:
        raise ValueError(_("At most %(n)s other hashtags.", n=10))
    return result


class CampaignFields(Input):
    """Fields shared by create and update; None in an update means 'leave as is'."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(
        default=None, min_length=3, max_length=140, json_schema_extra=stripped(3)
    )
    story: str | None = Field(default=None, max_length=20000, description="Markdown")
    beneficiary: str | None = Field(
        default=None, min_length=2, max_length=200, json_schema_extra=stripped(2)
    )
    place: str | None = Field(default=None, max_length=200)
    currency: str | None = Field(
        default=None,
        description="ISO 4217 code; it cannot change once the campaign is published",
        json_schema_extra=currency_schema(nullable=True),
    )
    goal_minor: int | None = Field(default=None, ge=1, le=MAX_AMOUNT_MINOR)
    starts_on: date | None = None
    ends_on: date | None = Field(default=None, description="On or after starts_on")
    aliases: list[Hashtag] | None = Field(
        default=None,
        description="Other hashtags of the campaign (at most 10); each must be free",
        json_schema_extra={"maxItems": 10},
    )
    time_zone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone, e.g. Europe/Riga: times on its pages are shown in it. "
        "On creation, guessed from the place when left out.",
        # The exact list the server accepts, so clients (and the API fuzz) know it.
        json_schema_extra={"enum": [*time_zone_names(), None]},
    )

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, value: str | None) -> str | None:
        return check_time_zone(value) if value is not None else None

    @field_validator("currency")
    @classmethod
    def _check_currency(cls, value: str | None) -> str | None:
        return _currency(value) if value is not None else None

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, value: list[str] | None) -> list[str] | None:
        return _aliases(value) if value is not None else None

    @field_validator("ends_on")
    @classmethod
    def _dates_in_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value and starts_on and value < starts_on:
            raise ValueError(_("The end date must be on or after the start date."))
        return value


class CampaignCreate(CampaignFields):
    hashtag: Hashtag = Field(description="The main hashtag; no other open campaign may use it")
    title: str = Field(min_length=3, max_length=140, json_schema_extra=stripped(3))
    beneficiary: str = Field(min_length=2, max_length=200, json_schema_extra=stripped(2))
    currency: str = Field(
        description="ISO 4217 code: EUR, USD, XOF…", json_schema_extra=currency_schema()
    )
    story: str = Field(default="", max_length=20000, description="Markdown")
    place: str = Field(default="", max_length=200)
    aliases: list[Hashtag] = Field(
        default_factory=list,
        description="Other hashtags of the campaign (at most 10); each must be free",
        json_schema_extra={"maxItems": 10},
    )

    @field_validator("hashtag")
    @classmethod
    def _check_hashtag(cls, value: str) -> str:
        return parse_hashtag(value)


class CampaignUpdate(CampaignFields):
    status: CampaignStatus | None = None
    # Explicitly clearing the goal needs a field of its own: null already means "unchanged".
    clear_goal: bool = False


class CampaignOut(BaseModel):
    hashtag: str
    aliases: list[str]
    title: str
    story: str
    story_html: str
    beneficiary: str
    place: str
    currency: str
    goal_minor: int | None
    status: CampaignStatus
    time_zone: str
    starts_on: date | None
    ends_on: date | None
    url: str
    cover_url: str | None
    created_at: datetime
    published_at: datetime | None


class CampaignList(BaseModel):
    items: list[CampaignOut]
    total: int
    limit: int
    offset: int


class GoodsOutcomeOut(BaseModel):
    item: str
    unit: str
    received: int = Field(description="Units received since the start (deliveries and purchases)")
    used: int = Field(default=0, description="Units handed out or used since the start")
    on_hand: int = Field(default=0, description="Units still on hand: received − used")
    days_covered: int | None = Field(
        description="For daily needs: whole days the units on hand last (on_hand ÷ units a day)"
    )


class ProgressOut(BaseModel):
    hashtag: str
    status: CampaignStatus
    currency: str
    raised_minor: int
    goal_minor: int | None
    percent: int | None = Field(description="Raised as a percentage of the goal (may exceed 100)")
    donors: int
    raised_display: str
    goal_display: str | None
    summary: str = Field(description="The figures as one sentence in the visitor's language")
    spent_minor: int = Field(description="Money spent (expenses not cancelled)")
    balance_minor: int = Field(description="Raised minus spent")
    spent_display: str
    goods_givers: int = Field(description="People who brought goods (pledges delivered, walk-ins)")
    outcomes: list[GoodsOutcomeOut] = Field(default_factory=list)
    percent_text: str | None
    needs: list[NeedOut] = Field(
        default_factory=list,
        description="Goods per need: needed, pledged (not yet received), received, missing",
    )
