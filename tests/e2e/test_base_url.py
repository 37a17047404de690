"""`make run PORT=…` without BASE_URL: every link and redirect stays on the port actually served."""

import re

import pytest
from playwright.async_api import expect

from tests.dbutil import sibling_database_url
from tests.e2e.conftest import running_server, screenshot
from tests.e2e.test_donation_journey import _campaign_in_server_database


@pytest.fixture
def server_without_base_url(migrated_database):
    with running_server(
        sibling_database_url(migrated_database, "e2e_port"), derive_base_url=True
    ) as server:
        yield server


async def test_a_server_on_another_port_keeps_donors_on_it(server_without_base_url, phone):
    server = server_without_base_url
    assert f"links use {server.url} (derived from --host 127.0.0.1" in server.output()
    await _campaign_in_server_database(server.database_url)

    await phone.goto(f"{server.url}/h/HelpChallenge")
    og_url = await phone.locator('meta[property="og:url"]').get_attribute("content")
    assert og_url == f"{server.url}/h/HelpChallenge"
    share = await phone.get_by_role("link", name=re.compile("WhatsApp")).get_attribute("href")
    assert server.url.replace(":", "%3A").replace("/", "%2F") in share

    await phone.get_by_role("link", name="Give money").click()
    await phone.get_by_label("Another amount (XOF)").fill("5000")
    await phone.get_by_role("button", name="Continue to payment").click()
    await expect(phone.get_by_text("Test — no money moves")).to_be_visible()
    assert phone.url.startswith(f"{server.url}/demo-checkout/")
    await phone.get_by_role("button", name="Pay (test)").click()
    await expect(phone.get_by_role("status")).to_contain_text("is confirmed. Thank you!")
    await screenshot(phone, "base-url-derived-thanks-phone")
