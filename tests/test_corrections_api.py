"""POST /api/feedback through Flask's test client, with the real model and a real SQLite file."""

import base64
import io

import numpy as np
import pytest
import sqlalchemy as sa
from drawing import draw_digit, png_bytes
from PIL import Image
from strokes import DIGIT_STROKES
from test_api import BAD_REQUESTS, assert_error

from corrections import store
from reading.preprocess import preprocess_image
from webapp import create_app, database

SEVEN = png_bytes(draw_digit(DIGIT_STROKES[7], look="transparent"))


@pytest.fixture
def feedback_app(tmp_path):
    """An app of its own: an empty database and a fresh rate limit for every test."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            "FEEDBACK_RATE": "5/minute",
        }
    )  # low, so the flood test is short
    yield app
    app.extensions["corrections"].dispose()


@pytest.fixture
def feedback_client(feedback_app):
    return feedback_app.test_client()


def stored(app):
    return store.read_corrections(database.engine(app))


def as_json(image, label):
    return {
        "json": {
            "image": "data:image/png;base64," + base64.b64encode(image).decode(),
            "label": label,
        }
    }


def as_form(image, label):
    return {
        "data": {"image": (io.BytesIO(image), "seven.png"), "label": label},
        "content_type": "multipart/form-data",
    }


def as_raw(image, label):
    return {"data": image, "content_type": "image/png", "query_string": {"label": label}}


@pytest.mark.parametrize("form", [as_json, as_form, as_raw])
def test_feedback_stores_the_correction_in_every_request_form(feedback_app, feedback_client, form):
    label = 1  # say the 7 was a 1: what the model answered and what the person said both stay
    response = feedback_client.post(
        "/api/feedback", **form(SEVEN, label if form is as_json else str(label))
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    (row,) = stored(feedback_app)
    assert response.get_json()["id"] == row["id"]
    assert list(response.get_json()) == ["id", "undo_token", "undo_until"]
    digits = feedback_app.extensions["models"].digits
    expected_input = preprocess_image(Image.open(io.BytesIO(SEVEN)))
    expected = digits.predict(expected_input)
    assert row["label"] == label
    assert row["image"] == SEVEN
    np.testing.assert_array_equal(row["input"], expected_input)
    assert row["probabilities"] == pytest.approx(expected.tolist(), abs=1e-6)
    assert row["predicted"] == int(np.argmax(expected))
    assert row["model_version"] == digits.version


def test_feedback_keeps_nothing_about_the_client(feedback_app, feedback_client):
    feedback_client.post(
        "/api/feedback",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        headers={"User-Agent": "secret-agent"},
        **as_json(SEVEN, 7),
    )
    engine = database.engine(feedback_app)
    with engine.connect() as connection:
        dump = repr(connection.execute(sa.text("SELECT * FROM corrections")).all())
    assert len(stored(feedback_app)) == 1
    assert "203.0.113.9" not in dump and "secret-agent" not in dump


BAD_LABELS = [
    ("json no label", {"json": {"image": base64.b64encode(SEVEN).decode()}}, "missing_label"),
    ("json label 10", as_json(SEVEN, 10), "bad_label"),
    ("json label -1", as_json(SEVEN, -1), "bad_label"),
    ("json label string", as_json(SEVEN, "3"), "bad_label"),
    ("json label float", as_json(SEVEN, 3.5), "bad_label"),
    ("json label true", as_json(SEVEN, True), "bad_label"),
    ("json label null", as_json(SEVEN, None), "bad_label"),
    ("form no label", {"data": {"image": (io.BytesIO(SEVEN), "a.png")}}, "missing_label"),
    ("form label x", as_form(SEVEN, "x"), "bad_label"),
    ("form label 2a", as_form(SEVEN, "2a"), "bad_label"),
    ("form label empty", as_form(SEVEN, ""), "bad_label"),
    ("form label 21 digits", as_form(SEVEN, "1" * 21), "bad_label"),
    ("form label -12", as_form(SEVEN, "-12"), "bad_label"),
    ("form label superscript", as_form(SEVEN, "1\u00b2"), "bad_label"),
    ("form two labels", as_form(SEVEN, ["1", "2"]), "bad_label"),
    ("form two number labels", as_form(SEVEN, ["12", "34"]), "bad_label"),
    ("raw no label", {"data": SEVEN, "content_type": "image/png"}, "missing_label"),
    ("raw label 1.0", as_raw(SEVEN, "1.0"), "bad_label"),
    ("raw label 2a", as_raw(SEVEN, "2a"), "bad_label"),
    ("raw two labels", as_raw(SEVEN, ["12", "12"]), "bad_label"),
    ("json label 12", as_json(SEVEN, 12), "bad_label"),
    ("json label 2a", as_json(SEVEN, "2a"), "bad_label"),
    ("json label empty", as_json(SEVEN, ""), "bad_label"),
    ("json label 21 digits", as_json(SEVEN, "1" * 21), "bad_label"),
    ("json label list", as_json(SEVEN, ["1", "2"]), "bad_label"),
]


@pytest.mark.parametrize("kwargs,code", [b[1:] for b in BAD_LABELS], ids=[b[0] for b in BAD_LABELS])
def test_feedback_missing_or_bad_label_is_400(feedback_app, feedback_client, kwargs, code):
    response = feedback_client.post("/api/feedback", **kwargs)
    assert_error(response, 400, code)
    assert "0 to 9" in response.get_json()["error"]["message"]
    assert "20 digits" in response.get_json()["error"]["message"]  # a number may be sent too
    assert stored(feedback_app) == []
    assert store.read_number_corrections(database.engine(feedback_app)) == []


def test_feedback_json_integer_label_says_a_number_is_a_string(feedback_client):
    response = feedback_client.post("/api/feedback", **as_json(SEVEN, 207))
    assert "leading zeros" in response.get_json()["error"]["message"]
    assert '"0207"' in response.get_json()["error"]["message"]


# /api/predict's bad images, with a good label wherever the request form can carry one. Its
# multipart cases hold file objects that its own requests close, so those are made afresh here.
BAD_IMAGES = [
    b
    for b in BAD_REQUESTS
    if b[0] not in ("json array", "not json", "json not utf-8")
    and not isinstance(b[1].get("data"), dict)
]
BAD_FORMS = [
    ("multipart without file", lambda: {"other": "x"}, "missing_image"),
    ("multipart empty file", lambda: {"image": (io.BytesIO(b""), "a.png")}, "missing_image"),
    (
        "multipart two files",
        lambda: {"image": [(io.BytesIO(SEVEN), "a.png"), (io.BytesIO(SEVEN), "b.png")]},
        "too_many_images",
    ),
]


# A digit's label and a whole number's: a bad drawing is refused alike, whichever is said.
LABELS = pytest.mark.parametrize("label", ["4", "42"], ids=["digit", "number"])


@LABELS
@pytest.mark.parametrize(
    "kwargs,status,code", [b[1:] for b in BAD_IMAGES], ids=[b[0] for b in BAD_IMAGES]
)
def test_feedback_bad_images_get_the_contract_error(
    feedback_app, feedback_client, kwargs, status, code, label
):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("json"), dict):
        kwargs["json"] = {**kwargs["json"], "label": int(label) if len(label) == 1 else label}
    else:
        kwargs["query_string"] = {"label": label}
    assert_error(feedback_client.post("/api/feedback", **kwargs), status, code)
    assert stored(feedback_app) == []
    assert store.read_number_corrections(database.engine(feedback_app)) == []


@LABELS
@pytest.mark.parametrize(
    "make_form,code", [b[1:] for b in BAD_FORMS], ids=[b[0] for b in BAD_FORMS]
)
def test_feedback_bad_forms_get_the_contract_error(
    feedback_app, feedback_client, make_form, code, label
):
    response = feedback_client.post(
        "/api/feedback", data={**make_form(), "label": label}, content_type="multipart/form-data"
    )
    assert_error(response, 400, code)
    assert stored(feedback_app) == []
    assert store.read_number_corrections(database.engine(feedback_app)) == []


def test_feedback_flood_from_one_client_is_429(feedback_app, feedback_client):
    for _ in range(5):
        assert feedback_client.post("/api/feedback", **as_raw(SEVEN, "7")).status_code == 201
    response = feedback_client.post("/api/feedback", **as_raw(SEVEN, "7"))
    assert_error(response, 429, "rate_limited")
    # The wait until the first of the five leaves the minute, rounded up: less the time they took.
    assert 50 <= int(response.headers["Retry-After"]) <= 60
    # Another client is not held back by the first one's flood.
    other = feedback_client.post(
        "/api/feedback", environ_base={"REMOTE_ADDR": "192.0.2.7"}, **as_raw(SEVEN, "7")
    )
    assert other.status_code == 201
    assert len(stored(feedback_app)) == 6


def test_feedback_bad_rate_setting_stops_the_app(tmp_path):
    with pytest.raises(ValueError, match="30/minute"):
        create_app(
            {
                "TESTING": True,
                "FEEDBACK_RATE": "lots",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            }
        )


def test_feedback_default_database_is_sqlite_in_the_instance_folder(feedback_app):
    url = database.default_url(feedback_app)
    assert url == f"sqlite:///{feedback_app.instance_path}/feedback.sqlite3"
    assert (
        url == f"sqlite:///{store.DEFAULT_DATABASE}"
    )  # where model.correction_data looks by default


def test_health_reports_the_model_version(feedback_app, feedback_client):
    model = feedback_client.get("/api/health").get_json()["model"]
    assert model["version"] == feedback_app.extensions["models"].digits.version
    assert model["version"].startswith(model["name"])


def test_feedback_is_described_in_openapi(feedback_client):
    spec = feedback_client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/feedback"]["post"]
    assert {"201", "400", "413", "415", "422", "429", "503"} == set(operation["responses"])
    assert spec["components"]["schemas"]["CorrectionJson"]["required"] == ["image", "label"]


def test_feedback_lands_in_the_configured_database(database):
    app = create_app({"TESTING": True, "DATABASE_URL": database})
    response = app.test_client().post("/api/feedback", **as_json(SEVEN, 2))
    app.extensions["corrections"].dispose()
    assert response.status_code == 201
    engine = store.open_engine(database)
    assert [(r["id"], r["label"]) for r in store.read_corrections(engine)] == [
        (response.get_json()["id"], 2)
    ]
    engine.dispose()
