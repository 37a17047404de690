"""The goods API for the team, beside the pledge and delivery endpoints: change a need's
quantity (its history kept), record goods handed out or used."""

from fastapi import APIRouter

from app.campaigns.access import ApiDeskCampaign, ApiGoodsCampaign
from app.db import PathId, WriteSessionDep
from app.inkind import need_edits, needs, service, stock
from app.inkind.need_edits import NeedQuantityChange
from app.inkind.schemas import NeedOut
from app.inkind.stock import UseCreate, UseOut
from app.inkind.views import today

api = APIRouter(prefix="/api/v1", tags=["goods"])


@api.patch("/campaigns/{tag}/needs/{need_id}", response_model=NeedOut)
async def api_change_need(
    need_id: PathId, body: NeedQuantityChange, session: WriteSessionDep, viewer: ApiGoodsCampaign
):
    """Change how much a need asks for (organizers): per_day_units for a daily need,
    target_units for a one-off one (the other one is refused). The former value is kept in
    the need's history; pledges and deliveries already recorded stay as they are."""
    need = await needs.get_need(session, viewer.campaign, need_id)
    await need_edits.change_quantity(session, need, viewer.user, body)
    figures = await needs.figures(session, [need], today())
    return service.need_out(figures[0])


@api.post("/campaigns/{tag}/uses", status_code=201, response_model=UseOut)
async def api_record_use(body: UseCreate, session: WriteSessionDep, viewer: ApiDeskCampaign):
    """Record goods handed out or used (team), at most what is on hand per need: what is on
    hand is received minus used. Send a random idempotency_key: a retry returns the same record."""
    use = await stock.record_use(session, viewer.campaign, viewer.user, body, today())
    return await stock.use_out(session, use)
