"""create_app(): middleware, error handlers, routers and static files."""

from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from app import jobs, ops
from app import openapi as api_document
from app.accounts import router as accounts
from app.accounts.deps import LoginRequired
from app.campaigns import api as campaigns_api
from app.campaigns import dashboard as campaigns_dashboard
from app.campaigns import router as campaigns
from app.config import get_settings
from app.db import database
from app.donations import api as donations_api
from app.donations import dashboard as donations_dashboard
from app.donations import router as donations
from app.donations import webhooks as donations_webhooks
from app.edge import EdgeMiddleware, check_body_text
from app.errors import install_error_handlers, wants_json
from app.inkind import desk as inkind_desk
from app.inkind import goods_admin, goods_api, invite_pages, stock_pages
from app.inkind import pledge_manage as inkind_pledge_manage
from app.inkind import router as inkind
from app.middleware import RequestContextMiddleware, configure_logging
from app.transaction import TransactionMiddleware
from app.updates import api as updates_api
from app.updates import expenses_router as expenses
from app.updates import public as updates_public
from app.updates import team as updates_team
from app.web import STATIC_DIR


class CachedStaticFiles(StaticFiles):
    """Static assets are referenced with a content hash (static_url), so they may be cached long."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=604800"
        return response


@asynccontextmanager
async def lifespan(app: FastAPI):
    tasks = []
    if get_settings().run_background_jobs:
        jobs.register_builtin_jobs()
        tasks = jobs.start_all(database.write_sessionmaker)
    yield
    for task in tasks:
        task.cancel()
    await database.dispose()


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Aidons API",
        summary="Hashtag-driven solidarity campaigns: money, goods and proof of use.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        # Control characters in form fields and JSON strings: a 422 before any handler runs.
        dependencies=[Depends(check_body_text)],
    )
    # Outermost last: the request context wraps the transaction, so a failed commit is a 500;
    # hostile addresses and oversized bodies are refused in between, before any session opens.
    app.add_middleware(TransactionMiddleware)
    app.add_middleware(EdgeMiddleware)
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)

    @app.exception_handler(LoginRequired)
    async def _login_redirect(request: Request, exc: LoginRequired):
        if wants_json(request):
            from app.errors import problem_response

            return problem_response(request, 401, exc.title, exc.message)
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)

    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(ops.router)
    app.include_router(accounts.pages)
    app.include_router(accounts.api)
    app.include_router(campaigns.pages)
    app.include_router(campaigns_dashboard.pages)
    app.include_router(campaigns_api.api)
    app.include_router(updates_public.pages)
    app.include_router(updates_team.pages)
    app.include_router(updates_api.api)
    app.include_router(expenses.pages)
    app.include_router(expenses.api)
    app.include_router(donations.pages)
    app.include_router(donations_dashboard.pages)
    app.include_router(donations_webhooks.webhooks)
    app.include_router(donations_api.api)
    app.include_router(inkind.pages)
    app.include_router(inkind_pledge_manage.pages)
    app.include_router(goods_admin.pages)
    app.include_router(invite_pages.pages)
    app.include_router(inkind_desk.pages)
    app.include_router(inkind.api)
    app.include_router(stock_pages.pages)
    app.include_router(goods_api.api)
    if ops.bench_enabled():
        app.include_router(ops.bench_router())
    api_document.install(app)
    return app
