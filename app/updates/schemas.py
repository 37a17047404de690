"""What the updates API accepts and shows."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.db import MAX_ID
from app.fields import currency_schema, visible
from app.inputs import Input
from app.money import MAX_AMOUNT_MINOR
from app.updates.expenses import MAX_UNITS
from app.updates.models import UpdateStatus
from app.updates.video import VIDEO_URL_PATTERN

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class UpdateIn(Input):
    title: str = Field(
        max_length=160, description="At least 3 characters", json_schema_extra=visible(3)
    )
    body: str = Field(default="", max_length=20000, description="Markdown")
    video_url: str = Field(
        default="",
        max_length=500,
        description="A link to YouTube, Vimeo, Dailymotion, Facebook, Instagram, TikTok or X",
        json_schema_extra={"pattern": VIDEO_URL_PATTERN},
    )
    publish: bool = False
    expense_ids: list[RowId] = Field(
        default_factory=list, description="Spending it reports (this campaign's expenses)"
    )
    delivery_ids: list[RowId] = Field(
        default_factory=list, description="Deliveries it reports (this campaign's)"
    )


class PhotoOut(BaseModel):
    url: str
    small_url: str
    alt_text: str


class UpdateOut(BaseModel):
    id: int
    title: str
    body: str
    body_html: str
    video_url: str
    status: UpdateStatus
    url: str
    author: str
    published_at: str | None
    retraction_reason: str
    photos: list[PhotoOut]
    expense_ids: list[int]
    delivery_ids: list[int]


def _integer(name: str) -> dict:
    return {"required": [name], "properties": {name: {"type": "integer"}}}


class ExpenseIn(Input):
    # Goods bought for a need: need_id and units go together.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {"if": _integer("need_id"), "then": _integer("units")},
                {"if": _integer("units"), "then": _integer("need_id")},
            ]
        }
    )

    # The service checks the amount (its errors name the field "amount").
    amount_minor: int = Field(json_schema_extra={"minimum": 1, "maximum": MAX_AMOUNT_MINOR})
    currency: str = Field(
        min_length=3,
        max_length=3,
        description="The campaign's currency (ISO 4217 code)",
        json_schema_extra=currency_schema(),
    )
    description: str = Field(
        max_length=300, description="At least 3 characters", json_schema_extra=visible(3)
    )
    spent_on: date = Field(description="Today or earlier")
    receipt_public: bool = False
    need_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="One of the campaign's needs, with units"
    )
    units: int | None = Field(default=None, ge=1, le=MAX_UNITS)


class ExpenseOut(BaseModel):
    id: int
    amount_minor: int
    currency: str
    description: str
    spent_on: date
    goods: str
    receipt_url: str | None
    voided: bool
    void_reason: str | None
