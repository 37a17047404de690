"""CSV downloads for the team: one place that makes cells safe for spreadsheets.

The file starts with a UTF-8 byte order mark: without it, Excel reads the bytes as the
local code page and "Līga" or "Jānis" come out garbled; LibreOffice and Python's
`utf-8-sig` codec take it off."""

import csv
import io
from collections.abc import Iterable

from fastapi.responses import Response

from app.web import content_disposition

# Spreadsheets run cells starting with these as formulas: such cells are kept as text. (A
# tuple, not a string: '' is "in" every string, and empty cells must stay empty.)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def cell(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a number, even negative (a correction), is no formula
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition(filename),
            "Cache-Control": "private, no-store",
        },
    )
