"""Reading a number with its strokes in the order drawn (what the page sends): the real model,
through Flask's test client, and the stroke pieces the reader makes of them."""

import base64
import io
import json

import numpy as np
import pytest
from drawing import draw_digit, png_bytes, side_by_side
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from strokes import DIGIT_STROKES
from test_api import assert_error
from test_read import NUMBER, assert_reading

from drawings.numbers import write_number
from model.data import load_mnist
from model.onedigit import draw_number
from reading.pieces import MAX_EDGES, drawn_pieces
from reading.trace import trace_strokes
from webapp.strokes import MAX_POINTS, MAX_STROKES

# NUMBER's strokes (3, 0 and 7 of the test strokes) in its 280 px image's pixels.
NUMBER_STROKES = [
    [[x * 280, y * 280] for x, y in stroke]
    for stroke in side_by_side([3, 0, 7], DIGIT_STROKES, step=0.3)
]


def read(client, png, strokes, **kwargs):
    body = {"image": base64.b64encode(png).decode(), "strokes": strokes}
    response = client.post("/api/read", json=body, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_read_with_strokes_as_json_and_as_a_form_alike(client):
    as_json = read(client, NUMBER, NUMBER_STROKES)
    assert_reading(as_json, "307")
    form = {"image": (io.BytesIO(NUMBER), "number.png"), "strokes": json.dumps(NUMBER_STROKES)}
    response = client.post("/api/read", data=form)
    assert response.status_code == 200
    assert response.get_json() == as_json


def test_digits_come_left_to_right_however_they_were_drawn(client):
    body = read(client, NUMBER, NUMBER_STROKES[::-1])
    assert_reading(body, "307")
    assert [d["box"][0] for d in body["digits"]] == sorted(d["box"][0] for d in body["digits"])


def test_predict_with_prefer_read_takes_the_pages_form(client):
    """The page's request: a form with the PNG and the strokes, Prefer: read, explain."""
    form = {"image": (io.BytesIO(NUMBER), "d.png"), "strokes": json.dumps(NUMBER_STROKES)}
    response = client.post("/api/predict", data=form, headers={"Prefer": "read, explain"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["number"] == "307" and len(body["digits"]) == 3
    assert all(len(d["explanation"]) == 28 for d in body["digits"])


def test_strokes_that_miss_the_ink_read_as_the_image_alone(client):
    alone = client.post("/api/read", data=NUMBER, content_type="image/png").get_json()
    far = [[[-5000.0, -5000.0], [-4000.0, -4900.0]]]
    assert read(client, NUMBER, far) == alone


def written_overlapping(count, seed):
    """MNIST *test* digits traced and written 4 to a number, overlapping deeply (20 to 35 % of
    the height), drawn with Pillow: (png, strokes in its pixels, label) each."""
    (_, _), (images, labels) = load_mnist(verbose=False)
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(count):
        picked = rng.integers(0, len(images), 4)
        digits = [trace_strokes(images[i]) for i in picked]
        ink, _, placed = draw_number(write_number(digits, rng, (-0.35, -0.2)), rng)
        image = Image.fromarray((255 - 255 * ink).astype(np.uint8))
        strokes = [np.asarray(s).tolist() for digit in placed for s in digit]
        numbers.append((png_bytes(image), strokes, "".join(str(labels[i]) for i in picked)))
    return numbers


def test_strokes_read_overlapping_digits_the_image_alone_cannot(client):
    """Where neighbours overlap, ink alone cannot tell whose stroke is whose; the order of the
    strokes does, since a number is written digit after digit."""
    numbers = written_overlapping(30, seed=7)
    alone = sum(
        client.post("/api/read", data=png, content_type="image/png").get_json().get("number")
        == label
        for png, _, label in numbers
    )
    stroked = sum(read(client, png, strokes)["number"] == label for png, strokes, label in numbers)
    assert stroked >= alone + 4, (stroked, alone)


BAD_STROKES = [
    ("not an array", {"strokes": "3,0,7"}),
    ("an empty stroke", {"strokes": [[]]}),
    ("a stroke not an array", {"strokes": [42]}),
    ("a point of one number", {"strokes": [[[1.0]]]}),
    ("a point of three numbers", {"strokes": [[[1, 2, 3]]]}),
    ("a point of strings", {"strokes": [[["1", "2"]]]}),
    ("a point of booleans", {"strokes": [[[True, False]]]}),
    ("too many strokes", {"strokes": [[[1, 1]]] * (MAX_STROKES + 1)}),
    ("too many points", {"strokes": [[[1, 1]] * (MAX_POINTS // 2 + 1)] * 2}),
]


@pytest.mark.parametrize("path", ["/api/read", "/api/predict"])
@pytest.mark.parametrize("extra", [b[1] for b in BAD_STROKES], ids=[b[0] for b in BAD_STROKES])
def test_bad_strokes_get_the_contract_error(client, path, extra):
    body = {"image": base64.b64encode(NUMBER).decode(), **extra}
    assert_error(client.post(path, json=body), 400, "bad_strokes")


@pytest.mark.parametrize("text", ["[[[1, NaN]]]", "[[[1, Infinity]]]", "{nope", "[" * 100])
def test_bad_strokes_json_text_gets_the_contract_error(client, text):
    image = json.dumps(base64.b64encode(NUMBER).decode())
    response = client.post(
        "/api/read",
        data=f'{{"image": {image}, "strokes": {text}}}',
        content_type="application/json",
    )
    assert response.status_code == 400  # bad_strokes, or bad_json / json_too_deep first
    form = {"image": (io.BytesIO(NUMBER), "d.png"), "strokes": text}
    assert_error(client.post("/api/read", data=form), 400, "bad_strokes")


def test_two_strokes_fields_in_a_form_get_the_contract_error(client):
    form = {
        "image": (io.BytesIO(NUMBER), "d.png"),
        "strokes": [json.dumps(NUMBER_STROKES), json.dumps(NUMBER_STROKES)],
    }
    assert_error(client.post("/api/read", data=form), 400, "bad_strokes")


POINTS = st.lists(st.tuples(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9)), min_size=1, max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(strokes=st.lists(POINTS, max_size=40))
def test_any_well_formed_strokes_are_read(client, strokes):
    """Strokes that need not match the image (a buggy or hostile client): still an answer."""
    body = read(client, NUMBER, [[list(p) for p in stroke] for stroke in strokes])
    assert body["number"] and len(body["digits"]) == len(body["number"])


def test_drawn_pieces_give_each_ink_cell_to_the_nearest_stroke_in_order_drawn():
    grid = np.zeros((20, 20), dtype=bool)
    grid[9:11, 2:18] = True  # a bar drawn second
    grid[2:18, 9:11] = True  # a stem drawn first, crossing it
    stem, bar = np.array([[10.0, 2.0], [10.0, 17.0]]), np.array([[2.0, 10.0], [17.0, 10.0]])
    pieces, boundary = drawn_pieces(grid, [stem, bar], step=1, origin=(0, 0), height=16)
    assert pieces.max() == 2 and boundary.tolist() == [0.0]
    assert (pieces[2:8, 9:11] == 1).all() and (pieces[9:11, 2:8] == 2).all()
    assert ((pieces > 0) == grid).all()


def test_drawn_pieces_leave_out_strokes_with_no_ink_and_give_up_beyond_their_bounds():
    grid = np.zeros((10, 10), dtype=bool)
    grid[2:8, 4:6] = True
    stroke = np.array([[5.0, 2.0], [5.0, 8.0]])
    pieces, _ = drawn_pieces(grid, [np.array([[90.0, 90.0]]), stroke], 1, (0, 0), 10)
    assert pieces.max() == 1  # the stroke off the grid owns no ink
    assert drawn_pieces(grid, [np.array([[90.0, 90.0]])], 1, (0, 0), 10) == (None, None)
    grid[:, :] = True
    spread = [np.array([[k % 10 + 0.5, k // 10 + 0.5]]) for k in range(MAX_EDGES + 1)]
    assert drawn_pieces(grid, spread, 1, (0, 0), 10) == (None, None)  # a scribble's worth
    long = [np.array([[0.0, 0.0], [9.0, 9.0]] * 10_000)]  # far longer than a number's strokes
    assert drawn_pieces(grid, long, 1, (0, 0), 10) == (None, None)
    assert drawn_pieces(grid, [stroke], 1, (0, 0), 10)[0].max() == 1


def test_a_stroke_wider_than_any_digit_is_split_along_its_skeleton(client):
    """Two 0s written without lifting the pen: one stroke, two loops, read as two digits."""
    loop = [(0.5 + 0.45 * np.sin(t), 0.5 - 0.45 * np.cos(t)) for t in np.linspace(0, 6.3, 40)]
    joined = [
        [(0.1 + 0.35 * x, 0.3 + 0.4 * y) for x, y in loop]
        + [(0.45 + 0.35 * x, 0.3 + 0.4 * y) for x, y in loop]
    ]
    png = png_bytes(draw_digit(joined, width=8))
    pixels = [[[x * 280, y * 280] for x, y in joined[0]]]
    assert read(client, png, pixels)["number"] == "00"
    grid = np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128
    pieces, _ = drawn_pieces(grid, [np.array(pixels[0])], 1, (0, 0), 112)
    assert pieces.max() >= 2
    assert drawn_pieces(grid, [np.array(pixels[0])], 1, (0, 0), 200)[0].max() == 1
