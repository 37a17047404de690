"""Page forms turned into API-shaped input, with field errors named after the form's fields."""

from datetime import date, time

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.db import MAX_ID
from app.errors import FieldError, ValidationFailed, field_errors_from_pydantic
from app.i18n import _
from app.inkind.models import Need, Pledge
from app.inkind.pledge_changes import Changes
from app.inkind.schemas import MAX_UNITS, DeliveryCreate, NeedCreate, PledgeCreate

PLEDGE_FIELDS = ("donor_name", "donor_email", "donor_phone", "drop_off_point_id", "slot_id")


def form_values(form: FormData) -> dict[str, str]:
    return {key: str(value) for key, value in form.items() if key != "csrf_token"}


def _int(
    text: str, field: str, errors: list[FieldError], minimum: int = 0, maximum: int | None = None
) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors.append(FieldError(field, _("Must be a whole number.")))
        return None
    if value < minimum:
        errors.append(FieldError(field, _("Must be at least %(n)s.", n=minimum)))
        return None
    if maximum is not None and value > maximum:
        errors.append(FieldError(field, _("Must be at most %(n)s.", n=maximum)))
        return None
    return value


def _date(text: str, field: str, errors: list[FieldError]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field, _("Must be a date (YYYY-MM-DD).")))
        return None


def _time(text: str, field: str, errors: list[FieldError]) -> time | None:
    try:
        return time.fromisoformat((text or "").strip())
    except ValueError:
        errors.append(FieldError(field, _("Must be a time (HH:MM).")))
        return None


def _raise(exc: ValidationError, extra: list[FieldError], rename=None) -> None:
    errors = field_errors_from_pydantic(exc.errors(include_url=False), skip=())
    if rename:
        errors = [FieldError(rename(e.field), e.message) for e in errors]
    raise ValidationFailed(errors + extra) from None


def pledge_input(form: FormData, needs: list[Need]) -> tuple[PledgeCreate, list[int]]:
    """The pledge form as a PledgeCreate, and the need id behind each line (for errors)."""
    errors: list[FieldError] = []
    lines, line_needs = [], []
    for need in needs:
        quantity = _int(str(form.get(f"qty_{need.id}", "")), f"qty_{need.id}", errors, 1)
        if quantity:
            per = "pack" if form.get(f"per_{need.id}") == "pack" else "unit"
            lines.append({"need_id": need.id, "quantity": quantity, "per": per})
            line_needs.append(need.id)
    if not lines and not errors:
        errors.append(FieldError("form", _("Enter how much you will bring for at least one need.")))
    if str(form.get("website", "")).strip():  # the honeypot people never see
        errors.append(FieldError("form", _("Please try again.")))
    data = {
        "donor_name": str(form.get("donor_name", "")),
        "donor_email": str(form.get("donor_email", "")),
        "donor_phone": str(form.get("donor_phone", "")),
        "lines": lines or [{"need_id": 0, "quantity": 1}],
        "drop_off_point_id": _int(
            str(form.get("drop_off_point_id", "")), "drop_off_point_id", errors
        ),
        "slot_id": _int(str(form.get("slot_id", "")), "slot_id", errors),
        "due_on": _date(str(form.get("due_on", "")), "due_on", errors),
        "idempotency_key": str(form.get("idempotency_key", "")) or None,
    }
    try:
        parsed = PledgeCreate.model_validate(data)
    except ValidationError as exc:
        _raise(exc, errors, rename=lambda field: line_field(field, line_needs))
    if errors:
        raise ValidationFailed(errors)
    return parsed, line_needs


def line_field(field: str, line_needs: list[int]) -> str:
    """Errors say lines.2.quantity; the form's field is qty_<need id> (when that line exists)."""
    parts = field.split(".")
    if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        return f"qty_{line_needs[index]}" if index < len(line_needs) else "form"
    return field


def rename_line_errors(exc: ValidationFailed, line_needs: list[int]) -> dict[str, str]:
    result = {}
    for error in exc.field_errors:
        result.setdefault(line_field(error.field, line_needs), error.message)
    return result or {"form": exc.message}


def pledge_changes_input(form: FormData, pledge: Pledge) -> Changes:
    """The manage form: each line in units or packs (0 removes it), and the day, time slot
    and drop-off point. Errors are named units.<need id>, due_on, slot_id."""
    errors: list[FieldError] = []
    units = {}
    for line in pledge.lines:
        field = f"units.{line.need_id}"
        quantity = _int(str(form.get(f"units_{line.need_id}", "")), field, errors)
        if quantity is None:
            continue
        pack_size = line.need.item.pack_size
        if form.get(f"per_{line.need_id}") == "pack" and pack_size:
            quantity *= pack_size
        units[line.need_id] = quantity  # bounds are the service's (in units)
    changes = Changes(units=units, move="due_on" in form or "slot_id" in form)
    if changes.move:
        changes.slot_id = _int(str(form.get("slot_id", "")), "slot_id", errors, 0, MAX_ID)
        changes.drop_off_point_id = _int(
            str(form.get("drop_off_point_id", "")), "drop_off_point_id", errors, 0, MAX_ID
        )
        changes.due_on = _date(str(form.get("due_on", "")), "due_on", errors)
        if changes.due_on is None and changes.slot_id is None and not errors:
            errors.append(FieldError("due_on", _("Choose a day.")))
    if errors:
        raise ValidationFailed(errors)
    return changes


def need_input(form: FormData) -> NeedCreate:
    errors: list[FieldError] = []
    kind = str(form.get("kind", "one_off"))
    data = {
        "item": str(form.get("item", "")),
        "unit": str(form.get("unit", "")),
        "pack_label": str(form.get("pack_label", "")),
        "pack_size": _int(str(form.get("pack_size", "")), "pack_size", errors, 2),
        "kind": kind,
        "reason": str(form.get("reason", "")),
        "priority": _int(str(form.get("priority", "2")), "priority", errors, 1) or 2,
        "policy": str(form.get("policy", "accept_surplus")),
        "max_per_pledge": _int(
            str(form.get("max_per_pledge", "")), "max_per_pledge", errors, 1, MAX_UNITS
        ),
    }
    if kind == "daily":
        data["per_day_units"] = _int(str(form.get("quantity", "")), "quantity", errors, 1)
        data["starts_on"] = _date(str(form.get("starts_on", "")), "starts_on", errors)
        data["ends_on"] = _date(str(form.get("ends_on", "")), "ends_on", errors)
    else:
        data["target_units"] = _int(str(form.get("quantity", "")), "quantity", errors, 1)
        data["deadline"] = _date(str(form.get("deadline", "")), "deadline", errors)
    if errors:
        raise ValidationFailed(errors)
    rename = {"target_units": "quantity", "per_day_units": "quantity", "body": "quantity"}
    try:
        return NeedCreate.model_validate(data)
    except ValidationError as exc:
        _raise(exc, [], rename=lambda f: rename.get(f, f) if f else "quantity")


def slot_input(form: FormData) -> dict:
    errors: list[FieldError] = []
    day = _date(str(form.get("day", "")), "day", errors)
    if day is None and not errors:
        errors.append(FieldError("day", _("This field is required.")))
    result = {
        "day": day,
        "starts_at": _time(str(form.get("starts_at", "")), "starts_at", errors),
        "ends_at": _time(str(form.get("ends_at", "")), "ends_at", errors),
        "capacity": _int(str(form.get("capacity", "")), "capacity", errors, 1),
    }
    if errors:
        raise ValidationFailed(errors)
    return result


def delivery_input(form: FormData, need_ids: list[int]) -> DeliveryCreate:
    """Quick entry: accepted and refused units per need, one refusal reason per need."""
    errors: list[FieldError] = []
    lines = []
    for need_id in need_ids:
        accepted = _int(str(form.get(f"accepted_{need_id}", "")), f"accepted_{need_id}", errors)
        refused = _int(str(form.get(f"refused_{need_id}", "")), f"refused_{need_id}", errors)
        reason = str(form.get(f"reason_{need_id}", "")) or None
        if accepted or refused:
            if refused and not reason:
                errors.append(FieldError(f"reason_{need_id}", _("Say why units were refused.")))
            lines.append(
                {
                    "need_id": need_id,
                    "accepted_units": accepted or 0,
                    "refused_units": refused or 0,
                    "refusal_reason": reason if refused else None,
                }
            )
    if not lines and not errors:
        errors.append(FieldError("form", _("Enter at least one quantity.")))
    if errors:
        raise ValidationFailed(errors)
    try:
        return DeliveryCreate.model_validate(
            {
                "lines": lines,
                "donor_name": str(form.get("donor_name", "")),
                "note": str(form.get("note", "")),
                "idempotency_key": str(form.get("idempotency_key", "")) or None,
            }
        )
    except ValidationError as exc:
        _raise(exc, [])
