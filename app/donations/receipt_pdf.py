"""A receipt as a one-page PDF (fpdf2), with the same lines as the page.

The font is shipped (fonts/DejaVuSans.ttf, see fonts/LICENSE): PDF's standard fonts know only
Latin-1, so "Līga", "Palīdzēsim" or "помощь" would not print; fpdf2 embeds only the glyphs used.
"""

from pathlib import Path

from fpdf import FPDF

from app.donations.receipts import Receipt
from app.i18n import _, get_locale

FONT = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"
INK = (27, 31, 36)
MUTED = (74, 83, 96)
ACCENT = (11, 110, 79)
DANGER = (164, 22, 26)


def receipt_pdf(receipt: Receipt, title: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author("Aidons")
    pdf.set_lang(get_locale())
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", size=11)
    pdf.set_text_color(*ACCENT)
    pdf.cell(width, 6, "Aidons", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font_size(20)
    pdf.multi_cell(width, 10, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if receipt.test:
        pdf.set_text_color(*DANGER)
        pdf.set_font_size(12)
        pdf.multi_cell(
            width, 7, _("Test — no money moves"), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)

    label_width = 58
    for label, value in receipt.lines:
        top = pdf.get_y()
        pdf.set_font_size(10)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(label_width - 4, 6, label, align="L", new_x="LMARGIN", new_y="NEXT")
        label_bottom = pdf.get_y()
        pdf.set_xy(pdf.l_margin + label_width, top)
        pdf.set_font_size(12)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width - label_width, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), label_bottom) + 2)
        pdf.set_draw_color(214, 211, 204)
        pdf.line(pdf.l_margin, pdf.get_y() - 1, pdf.l_margin + width, pdf.get_y() - 1)

    pdf.ln(4)
    pdf.set_font_size(10)
    pdf.set_text_color(*MUTED)
    for note in receipt.notes:
        pdf.multi_cell(width, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.multi_cell(
        width, 5, receipt.link, align="L", new_x="LMARGIN", new_y="NEXT", link=receipt.link
    )
    return bytes(pdf.output())
