"""The base of every API input schema: `null` for an optional field means "not given".

Clients written in languages where every field is nullable send `"message": null` for a
field they have nothing for. For a field that has a default and no meaning for None, that
null is dropped before validation, so the default applies. A field whose type admits None
keeps the null (it may mean something there: "leave as is" in an update); a required field
stays required. Unknown fields are refused.
"""

import types
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator


def _admits_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None) or annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return _admits_none(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(_admits_none(arg) for arg in get_args(annotation))
    return False


class Input(BaseModel):
    # An unknown field is a mistake worth saying (a typo would otherwise be silently ignored).
    model_config = ConfigDict(extra="forbid")

    # Names (and aliases) of the fields whose null is dropped; computed once per class.
    _null_is_default: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        names = set()
        for name, field in cls.model_fields.items():
            if not field.is_required() and not _admits_none(field.annotation):
                names.update(key for key in (name, field.alias) if key)
        cls._null_is_default = frozenset(names)

    @model_validator(mode="before")
    @classmethod
    def _null_means_not_given(cls, data: Any) -> Any:
        droppable = cls._null_is_default
        if not isinstance(data, dict) or not any(data.get(k, ...) is None for k in droppable):
            return data
        return {k: v for k, v in data.items() if v is not None or k not in droppable}
