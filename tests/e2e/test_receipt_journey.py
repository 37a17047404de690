"""Donors of money in a real browser: the receipt kept from the thank-you page (and its PDF),
a cancelled checkout that keeps what was typed, and amount chips where one looks chosen."""

import io
import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect
from pypdf import PdfReader

from app.i18n import translations
from tests.e2e.conftest import screenshot
from tests.e2e.live_data import live_session
from tests.factories import create_campaign, create_user
from tests.test_money import spaces_to_ascii

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
BROWSER_LOCALES = {"en": "en-GB", "fr": "fr-FR"}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
TAG = "Palidzesim2012"


def tr(lang: str, message: str, **variables) -> str:
    text = translations(lang).gettext(message)
    return text % variables if variables else text


@pytest.fixture(scope="module")
async def riga_campaign(live_server):
    async with live_session(live_server) as session:
        owner = await create_user(session, email="receipts@example.org", name="Biedrība Palīdzēsim")
        await create_campaign(
            session,
            owner,
            hashtag=TAG,
            title="Autiņbiksītes un piens 110 jaundzimušajiem",
            beneficiary="Rīgas zīdaiņu nams",
            place="Rīga, Latvija",
        )
    return f"{live_server.url}/h/{TAG}"


async def open_page(browser, size: str, lang: str, **options):
    context = await browser.new_context(**SIZES[size], locale=BROWSER_LOCALES[lang], **options)
    return context, await context.new_page()


async def axe_violations(page) -> list[str]:
    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{page.url} [{v['id']}] {v['help']}: " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


async def page_width(page) -> int:
    return await page.evaluate("document.documentElement.scrollWidth")


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return spaces_to_ascii("\n".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize(("size", "lang"), [("phone", "en"), ("desktop", "fr")])
async def test_a_donor_keeps_the_receipt_and_its_pdf(browser, riga_campaign, size, lang):
    context, donor = await open_page(browser, size, lang)
    fifty = "€50.00" if lang == "en" else "50,00 €"
    try:
        await donor.goto(f"{riga_campaign}/donate")
        await donor.get_by_text(fifty, exact=True).click()
        await donor.get_by_label(tr(lang, "Your name (optional)")).fill("Līga Ozola")
        await donor.get_by_role("button", name=tr(lang, "Continue to payment")).click()
        pay = donor.get_by_role("button", name=tr(lang, "Pay (test)"))
        await expect(pay).to_be_visible()
        # A second tab on the thank-you page while the payment is pending: once confirmed,
        # it points to the receipt by itself.
        waiting = await context.new_page()
        checkout_reference = donor.url.rsplit("/", 1)[1]
        await waiting.goto(f"{riga_campaign}/donate/thanks/{checkout_reference}")
        see_receipt = waiting.get_by_role("link", name=tr(lang, "See your receipt"))
        await expect(see_receipt).to_be_hidden()
        await pay.click()
        await expect(see_receipt).to_be_visible(timeout=15_000)
        await waiting.close()

        receipt = donor.get_by_role("article", name=tr(lang, "Your receipt"))
        await expect(receipt).to_be_visible()
        await expect(receipt).to_contain_text("Līga Ozola")
        await expect(receipt).to_contain_text("Rīgas zīdaiņu nams, Rīga, Latvija")
        await expect(receipt).to_contain_text("Biedrība Palīdzēsim")
        reference = donor.url.rsplit("/", 1)[1]
        await expect(receipt).to_contain_text(reference)
        assert fifty in spaces_to_ascii(await receipt.inner_text())
        await screenshot(donor, f"receipts-thanks-{size}-{lang}")
        assert await page_width(donor) <= SIZES[size]["viewport"]["width"]
        assert not await axe_violations(donor)

        async with donor.expect_download() as download_info:
            await donor.get_by_role("link", name=tr(lang, "Download the receipt (PDF)")).click()
        download = await download_info.value
        assert download.suggested_filename == f"receipt-{TAG}-{reference}.pdf"
        body = (await download.path()).read_bytes()
        assert body.startswith(b"%PDF-")
        text = pdf_text(body)
        for expected in (reference, fifty, "Līga Ozola", f"#{TAG}", "Rīgas zīdaiņu nams"):
            assert expected in text, expected

        link = donor.get_by_label(tr(lang, "Keep this link to find your receipt later"))
        kept = await link.input_value()
        assert kept.endswith(f"/receipts/{reference}")
    finally:
        await context.close()

    # Later, in another browser with no cookie: the link alone shows the receipt.
    context, later = await open_page(browser, size, lang)
    try:
        await later.goto(kept)
        await expect(later.get_by_role("heading", level=1)).to_contain_text(f"#{TAG}")
        await expect(later.get_by_text("Līga Ozola")).to_be_visible()
        await screenshot(later, f"receipts-private-link-{size}-{lang}")
        assert await page_width(later) <= SIZES[size]["viewport"]["width"]
        assert not await axe_violations(later)
        await later.goto(f"{riga_campaign}/donors")
        await expect(later.get_by_text("Līga Ozola").first).to_be_visible()
        assert not await axe_violations(later)
    finally:
        await context.close()


@pytest.mark.parametrize(("size", "lang"), [("phone", "en"), ("desktop", "fr")])
async def test_a_cancelled_checkout_keeps_what_was_typed(browser, riga_campaign, size, lang):
    context, donor = await open_page(browser, size, lang)
    try:
        await donor.goto(f"{riga_campaign}/donate")
        amount = "12.50" if lang == "en" else "12,50"
        await donor.get_by_label(tr(lang, "Another amount (%(currency)s)", currency="EUR")).fill(
            amount
        )
        await donor.get_by_label(tr(lang, "Your name (optional)")).fill("Jānis Bērziņš")
        await donor.get_by_label(tr(lang, "Give anonymously (your name is not shown)")).check()
        await donor.get_by_label(tr(lang, "A public message (optional)")).fill("Turieties!")
        await donor.get_by_label(tr(lang, "Email for your receipt (optional)")).fill(
            "janis@example.org"
        )
        await donor.get_by_role("button", name=tr(lang, "Continue to payment")).click()
        await donor.get_by_role("button", name=tr(lang, "Cancel")).click()

        await expect(donor.get_by_role("status")).to_have_text(
            tr(lang, "Payment cancelled: nothing was charged.")
        )
        # Only the gift's reference travels in the address: no name, email or amount.
        assert re.search(rf"/h/{TAG}/donate\?cancelled=[\w-]{{22}}$", donor.url), donor.url
        other = donor.locator("#f-amount")
        await expect(other).to_have_value(amount)
        await expect(donor.locator("#f-donor_name")).to_have_value("Jānis Bērziņš")
        await expect(donor.locator("#f-message")).to_have_value("Turieties!")
        await expect(donor.locator("#f-email")).to_have_value("janis@example.org")
        await expect(donor.locator("#f-anonymous")).to_be_checked()
        assert await donor.locator('input[name="amount"]:checked').count() == 0
        await screenshot(donor, f"receipts-cancelled-form-{size}-{lang}")
        assert await page_width(donor) <= SIZES[size]["viewport"]["width"]
        assert not await axe_violations(donor)
    finally:
        await context.close()


async def chosen_chips(page) -> list[str]:
    """The preset chips that look chosen (filled with the accent colour)."""
    return await page.evaluate(
        """() => [...document.querySelectorAll('.amount-choice label')]
            .filter((label) => getComputedStyle(label).backgroundColor === 'rgb(11, 110, 79)')
            .map((label) => label.textContent.trim())"""
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    ("size", "lang"), [("phone", "en"), ("phone", "fr"), ("desktop", "en"), ("desktop", "fr")]
)
async def test_one_amount_looks_chosen_at_a_time(browser, riga_campaign, size, lang, javascript):
    context, donor = await open_page(browser, size, lang, java_script_enabled=javascript)
    twenty, fifty = ("€20.00", "€50.00") if lang == "en" else ("20,00 €", "50,00 €")
    try:
        await donor.goto(f"{riga_campaign}/donate")
        assert [spaces_to_ascii(chip) for chip in await chosen_chips(donor)] == [twenty]
        await donor.get_by_text(fifty, exact=True).click()
        assert [spaces_to_ascii(chip) for chip in await chosen_chips(donor)] == [fifty]
        await donor.locator("#f-amount").fill("35")
        assert await chosen_chips(donor) == []  # the typed amount is the one chosen
        await screenshot(
            donor, f"receipts-amount-chips-{size}-{lang}-{'js' if javascript else 'nojs'}"
        )
        if javascript:
            # The preset is unticked too, and picking one again empties the other amount.
            assert await donor.locator('input[name="amount"]:checked').count() == 0
            await donor.get_by_text(twenty, exact=True).click()
            await expect(donor.locator("#f-amount")).to_have_value("")
            assert [spaces_to_ascii(chip) for chip in await chosen_chips(donor)] == [twenty]
        assert await page_width(donor) <= SIZES[size]["viewport"]["width"]
    finally:
        await context.close()
