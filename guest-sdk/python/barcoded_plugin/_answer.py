"""What a plugin's ``scan`` returned, in the one shape the server takes:
``None`` (not mine), a :class:`ScanResult` with text fields and a JSON
payload, or an :class:`Invalid` raised."""

import json

from ._model import Invalid, ScanResult


def normalize(plugin, data):
    """Calls ``plugin.scan(data)`` and returns ``None`` or a ScanResult whose
    fields are ``(key, text)`` pairs and payload JSON text. Raises
    :class:`Invalid` for "mine but invalid", with its format filled in."""
    name = type(plugin).NAME or type(plugin).__name__
    try:
        answer = plugin.scan(data)
    except Invalid as invalid:
        invalid.format = invalid.format or name
        raise
    if answer is None:
        return None
    if isinstance(answer, dict):
        return _from_dict(answer, name)
    if isinstance(answer, ScanResult):
        return _tidy(answer)
    raise TypeError(
        f"scan returned a {type(answer).__name__}; return None, a ScanResult or a dict"
    )


def _from_dict(answer, name):
    # InvenTree's rules: an empty dict is no match, an `error` key an error.
    if not answer:
        return None
    if "error" in answer:
        raise Invalid(str(answer["error"]), answer.get("format") or name)
    return _tidy(
        ScanResult(
            format=str(answer.get("format") or name),
            lookup_code=answer.get("lookup_code"),
            uom_code=answer.get("uom_code"),
            quantity=answer.get("quantity"),
            fields=answer.get("fields") or [],
            payload={k: v for k, v in answer.items() if k not in _ANSWER_KEYS},
        )
    )


# The keys of a dict answer that fill the answer's own fields, and so are
# left out of its payload.
_ANSWER_KEYS = ("format", "lookup_code", "uom_code", "quantity", "fields")


def _tidy(result):
    fields = result.fields.items() if isinstance(result.fields, dict) else result.fields
    payload = result.payload
    if payload is not None and not isinstance(payload, str):
        payload = json.dumps(payload, default=str)
    return ScanResult(
        format=str(result.format),
        lookup_code=None if result.lookup_code is None else str(result.lookup_code),
        uom_code=None if result.uom_code is None else str(result.uom_code),
        quantity=_quantity(result.quantity),
        fields=[(str(key), str(value)) for key, value in fields],
        payload=payload,
    )


def _quantity(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFF:
        raise TypeError(f"quantity {value!r} is not a whole number from 0 to 4294967295")
    return value
