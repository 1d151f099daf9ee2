"""GET /api/openapi.json describes the API exactly: schemathesis generates requests from it and
checks every answer (no 5xx, documented status, content type and schema)."""

import re

import pytest
import schemathesis
from drawing import draw_digit, png_bytes
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from strokes import DIGIT_STROKES

from webapp.openapi import SPEC

MIN_REQUESTS = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REQUESTS = []  # (method, path, status) of every generated request, counted at the end


@st.composite
def drawings(draw, fmt):
    """Mostly real drawings (so 200 is exercised too), sometimes any bytes."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.binary(max_size=512))
    image = draw_digit(
        DIGIT_STROKES[draw(st.integers(0, 9))],
        size=draw(st.integers(28, 140)),
        look=draw(st.sampled_from(["dark", "light", "transparent"])),
    )
    return png_bytes(image if fmt == "PNG" else image.convert("RGB"), fmt)


for _fmt in ("PNG", "JPEG", "WEBP"):
    schemathesis.openapi.media_type(f"image/{_fmt.lower()}", drawings(_fmt))


# The spec object the blueprint serves; test_openapi_is_served checks it is what GET answers.
schema = schemathesis.openapi.from_dict(SPEC)
schema.config.generation.update(modes=list(GenerationMode))


def test_openapi_is_served_and_names_every_route(client, app):
    spec = client.get("/api/openapi.json").get_json()
    assert spec == SPEC and spec["openapi"].startswith("3.")
    # /api/feedback/<int(max=...):correction_id> and /api/feedback/{id} are one path.
    api_rules = {
        re.sub(r"<[^>]+>", "{}", r.rule)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/")
    }
    assert {re.sub(r"{[^}]+}", "{}", path) for path in spec["paths"]} == api_rules
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert named == set(re.findall(r"{([^}]+)}", path)), path
    content = spec["paths"]["/api/predict"]["post"]["requestBody"]["content"]
    assert set(content) == {
        "application/json",
        "multipart/form-data",
        "image/png",
        "image/jpeg",
        "image/webp",
    }
    assert set(spec["paths"]["/api/health"]["get"]["responses"]) == {"200", "503"}


def test_openapi_describes_the_not_a_digit_answer():
    schemas = SPEC["components"]["schemas"]
    for name in ("Prediction", "Reading"):
        properties = schemas[name]["properties"]
        assert properties["verdict"]["enum"] == ["digit", "number", "not_a_digit", "unsure"]
        assert properties["reason"]["enum"] == ["not_a_digit", "not_a_number", "number"]
        assert "reason" not in schemas[name]["required"]
        assert "verdict" in schemas[name]["required"]
    assert schemas["Prediction"]["properties"]["digit"]["nullable"] is True
    assert "nullable" not in schemas["ReadDigit"]["properties"]["digit"], "a digit shown"


def test_openapi_describes_undo():
    operation = SPEC["paths"]["/api/feedback/{id}"]["delete"]
    assert set(operation["responses"]) == {"204", "401", "404", "410", "503"}
    assert operation["security"] == [{"undoToken": []}]
    scheme = SPEC["components"]["securitySchemes"]["undoToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    stored = SPEC["components"]["schemas"]["Stored"]
    assert stored["required"] == ["id", "undo_token", "undo_until"]
    assert set(stored["properties"]) == {"id", "undo_token", "undo_until", "number"}


@schema.parametrize()
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_every_answer_conforms(app, case):
    response = case.call_and_validate(app=app, checks=CHECKS)
    REQUESTS.append((case.method, case.path, response.status_code))


def test_openapi_schemathesis_sent_enough_requests():
    if not REQUESTS:
        pytest.skip("run together with test_openapi_every_answer_conforms")
    statuses = {status for _, _, status in REQUESTS}
    assert len(REQUESTS) >= MIN_REQUESTS, len(REQUESTS)
    assert {200, 400}.issubset(statuses), statuses
