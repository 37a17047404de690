"""Extract translatable strings into app/locale/messages.pot and update each locale's .po.

Run with `make messages`; then translate the new, empty entries in app/locale/*/.
"""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "app" / "locale"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    catalog = Catalog(project="Aidons", charset="utf-8")
    sources = [
        (ROOT / "app", [("**.py", "python")], {}),
        (
            ROOT / "templates",
            [("**.html", "jinja2.ext:babel_extract")],
            {"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}},
        ),
    ]
    for directory, method_map, options_map in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            directory, method_map, options_map, keywords=KEYWORDS
        ):
            location = (str((directory / filename).relative_to(ROOT)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def main() -> None:
    template = extract()
    with (LOCALE_DIR / "messages.pot").open("wb") as pot:
        write_po(pot, template, omit_header=False, sort_output=True, width=100)
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        locale = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        with po_path.open("wb") as po_file:
            write_po(po_file, catalog, sort_output=True, width=100, ignore_obsolete=True)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{locale}: {len(missing)} untranslated")


if __name__ == "__main__":
    main()
