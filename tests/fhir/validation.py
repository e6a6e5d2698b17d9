"""Validation with the `fhir.resources` package's R4B models (a development dependency; the
app itself never imports it: its package is `fhir_export`, so the two never clash)."""

import json

from fhir.resources import R4B


def validate(resource: dict):
    """The resource parsed by its R4B model (pydantic raises on anything invalid); the model
    serialises back to the same JSON, so nothing was dropped as unknown."""
    model = R4B.get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    back, sent = json.loads(model.model_dump_json()), json.loads(json.dumps(resource))
    assert back == sent, (resource["id"], _difference(back, sent))
    return model


def _difference(back, sent, path: str = "") -> str:
    """Where the parsed resource differs from the one sent, for the assertion's message."""
    if isinstance(sent, dict) and isinstance(back, dict):
        for key in sorted(set(back) | set(sent)):
            if back.get(key) != sent.get(key):
                return _difference(back.get(key), sent.get(key), f"{path}.{key}")
    if isinstance(sent, list) and isinstance(back, list) and len(sent) == len(back):
        for index, (b, s) in enumerate(zip(back, sent, strict=True)):
            if b != s:
                return _difference(b, s, f"{path}[{index}]")
    return f"{path}: sent {sent!r}, parsed {back!r}"
