"""The JSON answers, written by orjson (webapp/json_provider.py), say what the standard library's
encoder said: same values, same key order, the same types handled the same way."""

import datetime
import json
import uuid
from decimal import Decimal

import numpy as np
import pytest
from drawing import draw_digit, png_bytes
from flask import Flask
from strokes import DIGIT_STROKES

from webapp.json_provider import OrjsonProvider


@pytest.fixture
def standard_and_fast():
    """A bare app with Flask's own provider and one with orjson's, set up alike."""
    apps = []
    for provider in (None, OrjsonProvider):
        app = Flask(__name__)
        if provider:
            app.json = provider(app)
        app.json.sort_keys = False  # type: ignore[attr-defined]
        apps.append(app)
    return apps


def both(apps, value):
    """The body each app's jsonify writes for value."""
    bodies = []
    for app in apps:
        with app.app_context():
            bodies.append(app.json.response(value).get_data())
    return bodies


def test_a_prediction_is_written_as_the_standard_library_writes_it(client, app):
    png = png_bytes(draw_digit(DIGIT_STROKES[4]))
    response = client.post("/api/predict", data=png, content_type="image/png")
    answer = response.get_json()
    standard = json.dumps(answer, separators=(",", ":"))
    assert app.json.__class__ is OrjsonProvider
    assert response.get_data().endswith(b"\n")
    # Same numbers and key order; only a float's spelling may differ (2e-06 against 2e-6).
    assert json.loads(response.get_data()) == json.loads(standard)
    assert list(json.loads(response.get_data())) == list(answer)


def test_the_types_flask_handles_come_out_alike(standard_and_fast):
    value = {
        "when": datetime.datetime(2026, 12, 7, 15, 30, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 7),
        "id": uuid.UUID(int=7),
        "price": Decimal("1.50"),
        3: "an int key",
        "text": "café ✓",
        "nested": [1, 2.5, None, True, {"b": 1, "a": 2}],
        "numpy": np.float64(0.25),  # a float to the standard library
        "huge": 2**70,  # beyond orjson's 64 bits: the standard library writes it
    }
    standard, fast = both(standard_and_fast, value)
    assert json.loads(fast) == json.loads(standard)
    assert b'"Mon, 07 Dec 2026 15:30:00 GMT"' in fast  # an HTTP date, as Flask writes it
    assert list(json.loads(fast)["nested"][4]) == ["b", "a"]  # the order given


def test_what_cannot_be_written_fails_as_it_did(standard_and_fast):
    for app in standard_and_fast:
        with app.app_context(), pytest.raises(TypeError):
            app.json.response({"set": {1, 2}})


def test_debug_mode_indents_and_dumps_takes_the_standard_options(standard_and_fast):
    standard, fast = standard_and_fast
    fast.debug = True
    with fast.app_context():
        assert fast.json.response({"a": [1]}).get_data() == b'{\n  "a": [\n    1\n  ]\n}\n'
        assert fast.json.dumps({"a": 1}) == '{"a":1}'
        assert fast.json.dumps({"a": 1}, indent=1) == '{\n "a": 1\n}'
