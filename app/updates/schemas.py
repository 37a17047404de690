"""What the updates API accepts and shows."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from app.db import MAX_ID
from app.inputs import Input
from app.updates.expenses import MAX_UNITS
from app.updates.models import UpdateStatus

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class UpdateIn(Input):
    title: str = Field(max_length=160)
    body: str = Field(default="", max_length=20000)
    video_url: str = Field(default="", max_length=500)
    publish: bool = False
    expense_ids: list[RowId] = Field(default_factory=list, description="Spending it reports")
    delivery_ids: list[RowId] = Field(default_factory=list, description="Deliveries it reports")


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


class ExpenseIn(Input):
    amount_minor: int
    currency: str = Field(min_length=3, max_length=3)
    description: str = Field(max_length=300)
    spent_on: date
    receipt_public: bool = False
    need_id: int | None = Field(default=None, ge=1, le=MAX_ID)
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
