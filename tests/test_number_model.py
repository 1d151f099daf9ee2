"""The number model that reads a whole line (model/number.py): it reads written numbers,
the reader follows it where the pieces alone would misread, the server loads it as an optional
model, and training writes a model the server loads. Real reader, real models."""

import logging
import shutil

import numpy as np
import pytest
from drawing import draw_digit, png_bytes, side_by_side
from strokes import DIGIT_STROKES

from drawings.numbers import write_number
from drawings.streams import rng_for
from drawings.templates import random_template
from model.data import load_mnist
from model.number import HABIT, SPACING, draw_line, line_spacing, written_lines
from reading.ctc import CLASSES, best_path
from reading.line import LineReading
from reading.models import DIGITS
from reading.preprocess import ink_map, normalize_line
from reading.search import read_digits
from webapp import create_app
from webapp.classifier import ModelUnavailable, NumberModel

SHIPPED_NUMBER_MODEL = DIGITS.keras.with_name("number.tflite")


@pytest.fixture(scope="module")
def number_model():
    return NumberModel(SHIPPED_NUMBER_MODEL)


def written_line(digits, spacing, seed):
    """A number of template digits written by a test stream, drawn: ink (H, W)."""
    rng = rng_for("training", 20_000 + seed, 0)
    strokes = [random_template(rng, d)[1] for d in digits]
    return draw_line(write_number(strokes, rng, spacing), rng)


@pytest.mark.parametrize("spacing", [(0.15, 0.4), (-0.04, 0.03)], ids=["apart", "touching"])
def test_the_number_model_reads_written_numbers(number_model, spacing):
    numbers = ["2026", "135", "4789", "60", "11", "5309", "8462", "77"]
    read = [
        LineReading(
            number_model.columns(
                normalize_line(written_line([int(ch) for ch in text], spacing, seed))
            )
        ).text
        for seed, text in enumerate(numbers)
    ]
    assert sum(r == t for r, t in zip(read, numbers)) >= len(numbers) - 1, read


def test_most_training_lines_keep_to_one_spacing_from_overlapping_to_apart():
    """The benchmark writes whole numbers overlapping or apart; training must too, not only
    single tight gaps among looser ones."""
    spans = [line_spacing(np.random.default_rng(seed)) for seed in range(400)]
    habits = [(low, high) for low, high in spans if (low, high) != SPACING]
    assert 0.6 * len(spans) < len(habits) < 0.9 * len(spans)
    assert all(high - low == pytest.approx(2 * HABIT) for low, high in habits)
    centres = [(low + high) / 2 for low, high in habits]
    assert SPACING[0] <= min(centres) < -0.15 and 0.35 < max(centres) <= SPACING[1]


def test_lines_with_many_ones_are_written_only_when_asked_for():
    """--ones writes runs of 1s (what the number model lost most), and without it the lines
    are the very ones the shipped members were trained on."""
    (images, labels), _ = load_mnist(verbose=False)
    plain, _ = written_lines(60, images, labels, 7, 60)
    again, texts = written_lines(60, images, labels, 7, 60, ones=0.0)
    assert all(np.array_equal(a, b) for a, b in zip(plain, again))
    _, with_ones = written_lines(60, images, labels, 7, 60, ones=1.0)

    def share_of_ones(texts):
        digits = "".join(texts).replace("?", "")
        return digits.count("1") / len(digits)

    assert share_of_ones(texts) < 0.2 and share_of_ones(with_ones) > 0.3
    assert any("11" in text for text in with_ones)


def test_the_number_model_reads_the_test_strokes(number_model):
    ink = draw_digit(side_by_side([3, 1, 4], DIGIT_STROKES, width=0.2, height=0.3))
    assert LineReading(number_model.columns(normalize_line(ink_map(ink)))).text == "314"


def test_the_reader_is_not_misled_by_a_one_the_number_model_reads_twice(client):
    """The drawing above, whose thick upright 1 the number model once read as 11: one piece
    of ink cannot be two digits."""
    image = draw_digit(side_by_side([3, 1, 4], DIGIT_STROKES, width=0.2, height=0.3))
    body = client.post("/api/read", data=png_bytes(image), content_type="image/png").get_json()
    assert body["number"] == "314"


def test_health_names_the_number_model(client):
    assert client.get("/api/health").get_json()["model"]["number_model"]["name"] == "number"


def test_number_model_missing_next_to_the_digit_model_reads_without_it(tmp_path, caplog):
    shutil.copy(DIGITS.keras.with_suffix(".tflite"), tmp_path / "digits.tflite")
    shutil.copy(DIGITS.keras.with_name("onedigit.tflite"), tmp_path / "onedigit.tflite")
    with caplog.at_level(logging.WARNING):
        app = create_app(
            {
                "TESTING": True,
                "MODEL_PATH": str(tmp_path / "digits.tflite"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            }
        )
    assert "No number model" in caplog.text and "model.train_number" in caplog.text
    png = png_bytes(draw_digit(side_by_side([2, 5], DIGIT_STROKES, width=0.25, height=0.3)))
    body = app.test_client().post("/api/read", data=png, content_type="image/png").get_json()
    assert body["number"] == "25"
    assert "number_model" not in app.test_client().get("/api/health").get_json()["model"]


@pytest.mark.parametrize("problem", ["missing", "corrupt"])
def test_number_model_named_but_unusable_stops_the_app(tmp_path, problem):
    path = tmp_path / "number.tflite"
    if problem == "corrupt":
        path.write_bytes(b"TFL3" + b"\0" * 100)
    with pytest.raises(ModelUnavailable, match=f"{problem}.*model.train_number"):
        create_app(
            {
                "TESTING": True,
                "NUMBER_MODEL_PATH": str(path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            }
        )


def test_a_model_that_is_not_a_number_model_stops_the_app(tmp_path):
    with pytest.raises(ModelUnavailable, match="model.train_number"):
        create_app(
            {
                "TESTING": True,
                "NUMBER_MODEL_PATH": str(DIGITS.keras.with_suffix(".tflite")),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            }
        )


@pytest.mark.slow
def test_train_number_smoke_writes_a_model_the_server_loads(tmp_path):
    from model.card import read_card
    from model.number import build_number_model
    from model.train_number import parse_args, train

    out = tmp_path / "number.keras"
    card = train(
        parse_args(
            [
                "--numbers",
                "40",
                "--epochs",
                "1",
                "--ones",
                "0.5",
                "--width",
                "0.5",
                "--out",
                str(out),
            ]
        )
    )
    assert read_card(out) == card and len(card["epochs"]) == 1
    assert card["data"]["lines"] == 40 and card["data"]["validation_lines"] == 500
    # One epoch on 40 lines reads none of the validation numbers exactly yet (measured: 0 %; CTC
    # answers blanks first), so there is no floor above chance to hold it to at this size. The
    # card's figure must be the best epoch's, and training must have given a real loss.
    assert card["validation"]["exact"] == pytest.approx(
        max(epoch["val_exact"] for epoch in card["epochs"]), abs=5e-5
    )
    assert 0 < card["epochs"][0]["loss"] < float("inf")
    assert card["ones"] == 0.5 and card["width"] == 0.5
    assert card["parameters"] < build_number_model().count_params()
    assert "CTC" in (text := out.with_suffix(".card.md").read_text())
    assert "50 % of the lines with many 1s" in text and "filters x 0.5" in text
    assert "no font glyph" in text
    columns = NumberModel(out.with_suffix(".tflite")).columns(np.zeros((32, 96), np.float32))
    assert columns.shape == (1, 24, CLASSES) and np.allclose(columns.sum(axis=2), 1.0, atol=1e-4)


def test_the_reader_follows_the_number_model_where_digits_overlap(app):
    """Overlapping template digits of a test stream: the pieces alone misread many of them
    (strokes cross, no cut gives each digit its own ink); with the number model most are read."""
    models = app.extensions["models"]
    rng = np.random.default_rng(7)
    numbers = ["".join(str(d) for d in rng.integers(10, size=4)) for _ in range(24)]
    inks = [
        written_line([int(ch) for ch in text], (-0.15, -0.04), 100 + seed)
        for seed, text in enumerate(numbers)
    ]

    def reads(read_line):
        return sum(
            "".join(
                str(int(c.probabilities.argmax()))
                for c in read_digits(
                    ink,
                    models.digits.predict_many,
                    one_digit=models.one_digit.probabilities,
                    read_line=read_line,
                )
            )
            == text
            for ink, text in zip(inks, numbers)
        )

    alone, together = reads(None), reads(models.number.columns)
    assert together >= alone + 5 and together >= 0.75 * len(numbers), (alone, together)


def test_the_shipped_number_model_answers_column_probabilities_and_reads_them(number_model):
    """One row of column probabilities per model its card names (the shipped card names one),
    each reading 2 and 7 side by side."""
    from model.card import read_card

    card = read_card(SHIPPED_NUMBER_MODEL.with_suffix(".keras"))
    columns = number_model.columns(
        normalize_line(
            ink_map(draw_digit(side_by_side([2, 7], DIGIT_STROKES, width=0.2, height=0.3)))
        )
    )
    assert columns.ndim == 3 and columns.shape[2] == CLASSES
    assert columns.shape[0] == len(card.get("members", [card]))
    assert np.allclose(columns.sum(axis=2), 1.0, atol=1e-4)
    assert {best_path(member) for member in columns} == {"27"}


def test_an_ensemble_exports_each_members_columns_stacked(tmp_path):
    """model.number_ensemble: the one LiteRT file answers each member's own softmax, in
    order, for lines of any width, whatever each member's own width (--width)."""
    import keras

    from model.export import export_tflite
    from model.number import build_number_model
    from model.number_ensemble import stacked

    keras.utils.set_random_seed(3)
    members = [build_number_model(), build_number_model(width=1.5)]
    path = export_tflite(stacked(members), tmp_path / "number.tflite")
    reader = NumberModel(path)
    for width in (64, 160):
        line = np.random.default_rng(width).random((32, width)).astype(np.float32)
        columns = reader.columns(line)
        assert columns.shape == (2, width // 4, CLASSES)
        for member, got in zip(members, columns):
            expected = keras.ops.convert_to_numpy(
                keras.ops.softmax(member(line[None, :, :, None], training=False))
            )[0, 0]
            assert np.allclose(got, expected, atol=1e-4)


def test_an_ensembles_card_names_each_member_and_says_no_font_glyph(tmp_path):
    """model.number_ensemble's card: one line per member with its seed, and, as every number
    model's card, that no font glyph entered training."""
    from model.card import read_card
    from model.card_text import number_ensemble_card_markdown
    from model.number_ensemble import ensemble_card

    member = read_card(SHIPPED_NUMBER_MODEL.with_suffix(".keras"))
    other = {**member, "seed": member["seed"] + 1}
    card = ensemble_card(
        tmp_path / "number.keras",
        ["a.keras", "b.keras"],
        [member, other],
        2 * member["parameters"],
    )
    text = number_ensemble_card_markdown(card)
    assert card["arch"] == f"ensemble of 2 x {member['arch']}"
    assert f"`a.keras`: seed {member['seed']}" in text
    assert f"`b.keras`: seed {member['seed'] + 1}" in text
    assert "no font glyph" in text
