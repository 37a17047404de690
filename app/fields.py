"""What the API documents about request fields that the services check themselves.

Some rules are checked after the service has cleaned a text (app/text.py clean_line removes
control characters and collapses whitespace) or with a sentence better than pydantic's. The
OpenAPI document still has to state them, or a client (and the API fuzz test) would send
requests that fit the document and still get a 422. These helpers put the rule in the JSON
schema only (`json_schema_extra`), leaving the check where it was.

Patterns use Unicode property escapes (\\p{L}: letters of any script), as JSON Schema 2020-12
recommends; `\\S` and `\\s` are Unicode-aware there too.
"""

from typing import Annotated

from pydantic import Field

from app.campaigns.hashtags import MAX_HASHTAG_LENGTH
from app.money import known_currencies

# A character that stays after cleaning: neither whitespace nor a control, format,
# private-use or unassigned character.
VISIBLE = r"[^\s\p{C}]"


def visible(count: int = 1) -> dict:
    """At least `count` characters remain once the text is cleaned."""
    return {"pattern": "(?:" + VISIBLE + r"[\s\S]*){" + str(count) + "}"}


# Not stripped: pydantic also strips U+0085 (NEL), which \s leaves out in JSON Schema.
KEPT = r"[^\s\u0085]"


def stripped(min_length: int) -> dict:
    """At least `min_length` characters remain once surrounding whitespace is stripped."""
    if min_length <= 1:
        return {"pattern": KEPT}
    return {"pattern": KEPT + r"[\s\S]{" + str(min_length - 2) + r",}" + KEPT}


# email-validator refuses the special-use domains (RFC 6761) even without a DNS check.
EMAIL_SCHEMA = {
    "format": "email",
    "pattern": r"^(?![\s\S]*\.(?:arpa|invalid|local|localhost|onion|test)$)",
}

HASHTAG_PATTERN = r"^#?[\p{L}\p{N}\p{M}_]*\p{L}[\p{L}\p{N}\p{M}_]*$"


def currency_schema(nullable: bool = False) -> dict:
    # An enum beside a nullable field's anyOf applies to null as well: list it.
    return {"enum": [*sorted(known_currencies()), *([None] if nullable else [])]}


Hashtag = Annotated[
    str,
    Field(
        description="Letters of any script, digits and _, with at least one letter; "
        "a leading # is optional",
        json_schema_extra={"pattern": HASHTAG_PATTERN, "maxLength": MAX_HASHTAG_LENGTH},
    ),
]
