"""POST /api/feedback with a whole number as the label: stored beside what the reading showed,
through Flask's test client, on SQLite and on a real PostgreSQL server."""

import io
import json

import pytest
from drawing import draw_digit, png_bytes
from test_api import assert_error
from test_corrections_api import SEVEN, as_json, as_raw
from test_read import NUMBER
from test_read_strokes import NUMBER_STROKES

from corrections import store
from model.correction_data import load_corrections
from reading.segment import MAX_DIGITS
from webapp import database

BLANK = png_bytes(draw_digit([], look="dark"))


def page_form(image, label, strokes=NUMBER_STROKES):
    """What the page sends: the PNG and its strokes as a form, plus the label."""
    return {
        "data": {
            "image": (io.BytesIO(image), "number.png"),
            "strokes": json.dumps(strokes),
            "label": label,
        },
        "content_type": "multipart/form-data",
    }


def json_with_strokes(image, label, strokes=NUMBER_STROKES):
    return {"json": {**as_json(image, label)["json"], "strokes": strokes}}


def numbers_stored(app):
    return store.read_number_corrections(database.engine(app))


def what_read_shows(client, image, strokes):
    form = {"image": (io.BytesIO(image), "number.png")}
    if strokes is not None:
        form["strokes"] = json.dumps(strokes)
    response = client.post("/api/read", data=form)
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    "form,strokes",
    [
        (page_form, NUMBER_STROKES),
        (json_with_strokes, NUMBER_STROKES),
        (as_json, None),
        (as_raw, None),
    ],
    ids=["page form", "json with strokes", "json", "raw bytes"],
)
def test_number_correction_stores_what_the_reading_showed(database_app, form, strokes):
    client = database_app.test_client()
    response = client.post("/api/feedback", **form(NUMBER, "0307"))  # said: it was 0307
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert list(body) == ["id", "undo_token", "undo_until", "number"]
    assert body["number"] == "0307"
    (row,) = numbers_stored(database_app)
    read = what_read_shows(client, NUMBER, strokes)
    assert row["id"] == body["id"]
    assert row["number"] == "0307"  # the leading zero kept
    assert (row["shown"], row["verdict"]) == (read["number"], read["verdict"]) == ("307", "number")
    assert row["boxes"] == [digit["box"] for digit in read["digits"]]
    assert row["strokes"] == strokes
    assert row["image"] == NUMBER
    assert row["model_version"] == database_app.extensions["models"].digits.version
    assert store.read_corrections(database.engine(database_app)) == []


def test_number_correction_of_a_drawing_read_as_one_digit(database_app):
    client = database_app.test_client()
    assert client.post("/api/feedback", **as_raw(SEVEN, "17")).status_code == 201
    (row,) = numbers_stored(database_app)
    read = what_read_shows(client, SEVEN, None)
    assert (row["number"], row["shown"], row["verdict"]) == ("17", "7", "digit")
    assert row["boxes"] == [read["digits"][0]["box"]] and row["strokes"] is None


def test_number_correction_of_the_longest_number(database_app):
    label = "9" * MAX_DIGITS
    response = database_app.test_client().post("/api/feedback", **as_json(NUMBER, label))
    assert response.status_code == 201
    assert [row["number"] for row in numbers_stored(database_app)] == [label]


def test_number_corrections_stay_out_of_the_digit_fine_tune(database_app):
    client = database_app.test_client()
    digit = client.post("/api/feedback", **as_json(SEVEN, 1)).get_json()
    assert client.post("/api/feedback", **as_json(NUMBER, "307")).status_code == 201
    x, y, predicted = load_corrections(database_app.config["DATABASE_URL"])  # the fine-tune's
    assert len(x) == len(y) == len(predicted) == 1 and y.tolist() == [1]
    assert [row["id"] for row in store.read_corrections(database.engine(database_app))] == [
        digit["id"]
    ]


@pytest.mark.parametrize("form", [as_raw, as_json, page_form], ids=["raw", "json", "page form"])
def test_number_correction_of_an_empty_drawing_is_422(database_app, form):
    response = database_app.test_client().post("/api/feedback", **form(BLANK, "12"))
    assert_error(response, 422, "empty_drawing")
    assert numbers_stored(database_app) == []


def test_number_correction_with_bad_strokes_is_400_as_on_read(database_app):
    client = database_app.test_client()
    assert_error(
        client.post("/api/feedback", **json_with_strokes(NUMBER, "307", "3,0,7")),
        400,
        "bad_strokes",
    )
    response = client.post("/api/feedback", **page_form(NUMBER, "307", [[[1, 2, 3]]]))
    assert_error(response, 400, "bad_strokes")
    assert numbers_stored(database_app) == []
    # A digit's correction reads no strokes, so it keeps taking whatever comes beside it.
    assert client.post("/api/feedback", **page_form(SEVEN, "7", "3,0,7")).status_code == 201
