"""What the in-kind API accepts and shows. Quantities are integers; packs only on input."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.db import MAX_ID
from app.fields import EMAIL_SCHEMA, stripped, visible
from app.i18n import _
from app.inkind.models import NeedKind, PledgePolicy, PledgeStatus, RefusalReason
from app.inputs import Input

MAX_UNITS = 1_000_000
RowId = Annotated[int, Field(ge=0, le=MAX_ID)]


class Strict(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _present(name: str, schema: dict) -> dict:
    return {"required": [name], "properties": {name: schema}}


class NeedCreate(Strict):
    # A one-off need says how many units in all, a daily one how many a day.
    model_config = ConfigDict(
        json_schema_extra={
            "if": _present("kind", {"const": "daily"}),
            "then": _present("per_day_units", {"type": "integer"}),
            "else": _present("target_units", {"type": "integer"}),
            "description": "ends_on, when given, is on or after starts_on",
        }
    )

    item: str = Field(
        min_length=2, max_length=120, description="What is needed", json_schema_extra=stripped(2)
    )
    unit: str = Field(
        min_length=1,
        max_length=40,
        description="Plural base unit: 'diapers'",
        json_schema_extra=stripped(1),
    )
    pack_label: str = Field(default="", max_length=40)
    pack_size: int | None = Field(default=None, ge=2, le=MAX_UNITS)
    kind: NeedKind = NeedKind.ONE_OFF
    target_units: int | None = Field(default=None, ge=1, le=MAX_UNITS)
    deadline: date | None = None
    per_day_units: int | None = Field(default=None, ge=1, le=MAX_UNITS)
    starts_on: date | None = None
    ends_on: date | None = None
    reason: str = Field(default="", max_length=200, description="'110 newborns'")
    priority: int = Field(default=2, ge=1, le=3, description="1 urgent, 2 high, 3 normal")
    policy: PledgePolicy = PledgePolicy.ACCEPT_SURPLUS
    max_per_pledge: int | None = Field(
        default=None,
        ge=1,
        le=MAX_UNITS,
        description="Most units one pledge may promise; by default a quarter of the need (of "
        "a day's need for a daily one), rounded up to whole packs, at least two packs, at most "
        "the need",
    )

    @model_validator(mode="after")
    def _shape(self) -> "NeedCreate":
        if self.kind == NeedKind.ONE_OFF and self.target_units is None:
            raise ValueError(_("Say how many units are needed in total."))
        if self.kind == NeedKind.DAILY and self.per_day_units is None:
            raise ValueError(_("Say how many units are needed per day."))
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(_("The end date must be on or after the start date."))
        return self


class PledgeLineIn(Strict):
    need_id: RowId = Field(description="One of the campaign's needs")
    quantity: int = Field(
        ge=1,
        le=MAX_UNITS,
        description="In units, or in packs (per=pack) for a need sold in packs; at most the "
        "need's max_per_pledge units, on a day the need is open",
    )
    per: Literal["unit", "pack"] = "unit"


class PledgeCreate(Strict):
    donor_name: str = Field(min_length=1, max_length=120, json_schema_extra=visible(1))
    donor_email: str = Field(default="", max_length=254, json_schema_extra=EMAIL_SCHEMA)
    donor_phone: str = Field(
        default="",
        max_length=40,
        description="Digits, spaces and + ( ) - .",
        json_schema_extra={"pattern": r"^[\p{Nd}\s+()\-.]*$"},
    )
    lines: list[PledgeLineIn] = Field(min_length=1, max_length=20)
    drop_off_point_id: RowId | None = Field(
        default=None, description="One of the campaign's drop-off points"
    )
    slot_id: RowId | None = Field(
        default=None, description="One of the campaign's time slots, not over yet"
    )
    due_on: date | None = Field(
        default=None,
        description="The day you will bring it: today (the default) or within a year, by the "
        "need's deadline, on a day the drop-off point opens. More than 3 days ahead needs "
        "donor_email: the pledge is held for 24 hours until confirmed from the emailed link",
    )
    idempotency_key: str | None = Field(
        default=None,
        min_length=8,
        max_length=80,
        description="A random value: retries are safe",
        json_schema_extra=stripped(8),
    )


class PledgeChange(Strict):
    units: dict[int, int] = Field(description="New quantity in units per need id")


class DeliveryLineIn(Strict):
    # Refused units come with a reason.
    model_config = ConfigDict(
        json_schema_extra={
            "if": _present("refused_units", {"minimum": 1}),
            "then": _present("refusal_reason", {"type": "string"}),
        }
    )

    need_id: RowId = Field(description="One of the campaign's needs")
    accepted_units: int = Field(default=0, ge=0, le=MAX_UNITS)
    refused_units: int = Field(default=0, ge=0, le=MAX_UNITS)
    refusal_reason: RefusalReason | None = None


# Unless `full` settles a pledge, at least one line counts some units.
_SOME_UNITS = {
    "if": _present("full", {"const": True}),
    "else": _present(
        "lines",
        {
            "contains": {
                "anyOf": [
                    _present("accepted_units", {"minimum": 1}),
                    _present("refused_units", {"minimum": 1}),
                ]
            }
        },
    ),
}


class DeliveryCreate(Strict):
    model_config = ConfigDict(json_schema_extra=_SOME_UNITS)

    pledge_code: str | None = Field(default=None, max_length=12)
    full: bool = Field(default=False, description="Everything still pledged arrived")
    lines: list[DeliveryLineIn] = Field(default_factory=list, max_length=20)
    received_on: date | None = None
    drop_off_point_id: RowId | None = None
    donor_name: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=300)
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=80)


class DayOut(BaseModel):
    day: date
    needed: int
    pledged: int
    received: int
    missing: int


class NeedOut(BaseModel):
    id: int
    item: str
    unit: str
    pack_label: str
    pack_size: int | None
    kind: NeedKind
    reason: str
    priority: int
    policy: PledgePolicy
    max_per_pledge: int = Field(description="Most units one pledge may promise")
    target_units: int | None
    deadline: date | None
    per_day_units: int | None
    starts_on: date | None
    ends_on: date | None
    day: date | None = Field(description="For a daily need: the day of the figures (today)")
    needed: int
    pledged: int = Field(description="Pledged and not yet received (alive pledges only)")
    received: int
    refused: int
    missing: int
    received_all_time: int
    days: list[DayOut] = Field(description="For a daily need: today and the days ahead")


class PledgeLineOut(BaseModel):
    need_id: int
    item: str
    unit: str
    units: int
    received_units: int
    refused_units: int


class PledgeOut(BaseModel):
    code: str
    status: PledgeStatus
    due_on: date
    drop_off_point: str | None
    slot: str | None
    lines: list[PledgeLineOut]
    hold_expires_at: datetime | None = Field(
        default=None,
        description="Set while a pledge far ahead waits for the donor's confirmation: it is "
        "released at this time unless confirmed from the emailed link",
    )
    manage_url: str | None = None
    donor_name: str | None = None
    donor_email: str | None = None
    donor_phone: str | None = None


class DeliveryOut(BaseModel):
    id: int
    pledge_code: str | None
    pledge_status: PledgeStatus | None
    received_on: date
    lines: list[dict]
