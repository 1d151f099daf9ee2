"""The retraining loop for real: corrections in the database -> fine-tune -> promote or not.

The corrections are mirror-written 7s (as children often write them), drawn with random
pens by the training random stream, and only those the shipped model misreads: what people
would correct. Nothing is mocked: the real model, MNIST, SQLite and the CLI code (a spy only
watches what the fine-tune trains on).
"""

import shutil

import numpy as np
import pytest
from exported import is_quantized

from corrections import store
from drawings.pens import render_strokes
from drawings.streams import rng_for
from drawings.templates import random_template
from model import finetune as finetuning
from model.card import read_card
from model.correction_data import export, load_corrections
from model.data import load_mnist
from model.datasets import validation_split
from model.export import DYNAMIC_RANGE
from model.finetune import (
    MNIST_VALIDATION,
    base_never_trained_on_validation,
    drawn_replay,
    mnist_parts,
    split_corrections,
)
from model.promotion import MAX_MNIST_DROP, promotion
from model.train import main as train_main
from reading.models import DIGITS
from reading.preprocess import normalize_ink, preprocess_mnist
from webapp.classifier import DigitClassifier

pytestmark = pytest.mark.slow
MIRRORED = (7,)


def mirror_written(count, seed):
    """`count` mirror-written digits of MIRRORED with random pens: (x (N, 28, 28), y)."""
    rng = rng_for("training", seed, 8)
    x, y = [], []
    for i in range(count):
        digit = MIRRORED[i % len(MIRRORED)]
        _, strokes = random_template(rng, digit)
        mirrored = [
            np.column_stack([1 - np.asarray(s)[:, 0], np.asarray(s)[:, 1]]) for s in strokes
        ]
        x.append(normalize_ink(render_strokes(mirrored, float(rng.uniform(0.06, 0.2)))))
        y.append(digit)
    return np.stack(x), np.array(y)


@pytest.fixture(scope="module")
def corrections_db(tmp_path_factory):
    """A SQLite database of the corrections people would send: the misread mirrored digits."""
    from model.architectures import load_model

    x, y = mirror_written(300, seed=1)
    probabilities = load_model(DIGITS.keras).predict(x[..., None], verbose=0)
    predicted = probabilities.argmax(1)
    url = f"sqlite:///{tmp_path_factory.mktemp('fb') / 'feedback.sqlite3'}"
    store.migrate(url)
    engine = store.open_engine(url)
    for xi, yi, pi, probs in zip(x, y, predicted, probabilities):
        if pi != yi:
            store.add_correction(
                engine,
                image=b"(simulated)",
                x=xi,
                label=yi,
                predicted=pi,
                probabilities=probs,
                model_version="digits-test",
            )
    engine.dispose()
    return url


def shipped_copy(folder):
    """The shipped model's files in folder, so promotion replaces copies, not the real ones."""
    folder.mkdir()
    for suffix in (".keras", ".tflite", ".card.json", ".card.md"):
        shutil.copyfile(DIGITS.keras.with_suffix(suffix), folder / f"digits{suffix}")
    return folder / "digits.keras"


def finetune(base, feedback, *options):
    train_main(
        [
            "--finetune",
            "--feedback",
            str(feedback),
            "--base",
            str(base),
            "--versions-dir",
            str(base.parent / "versions"),
            "--mnist-subset",
            "12000",
            "--epochs",
            "2",
            "--feedback-weight",
            "1",
            *options,
        ]
    )
    (card,) = [read_card(p) for p in (base.parent / "versions").glob("*.keras")]
    return card


@pytest.fixture
def training_spy(monkeypatch):
    """What the fine-tune trains on: the images its drawn replay traces, and every input row."""
    seen = {"traced_from": [], "inputs": []}
    real_drawn, real_dataset = finetuning.drawn_training_set, finetuning.to_dataset

    def drawn_training_set(images, *args):
        seen["traced_from"].append(images)
        return real_drawn(images, *args)

    def to_dataset(x, *args, **options):
        seen["inputs"].append(x)
        return real_dataset(x, *args, **options)

    monkeypatch.setattr(finetuning, "drawn_training_set", drawn_training_set)
    monkeypatch.setattr(finetuning, "to_dataset", to_dataset)
    return seen


def test_finetune_learns_the_corrections_and_is_promoted(corrections_db, tmp_path, capsys):
    x, _, _ = load_corrections(corrections_db)
    assert len(x) >= 100, "the shipped model should misread many mirror-written digits"
    base = shipped_copy(tmp_path / "saved")
    card = finetune(base, corrections_db)
    out = capsys.readouterr().out
    tune = card["finetune"]
    assert tune["held_out"] == round(len(x) * 0.25)
    before, after = tune["before"], tune["after"]
    assert set(before) == set(after) == {"mnist_validation", "validation_drawings", "held_out"}
    assert after["held_out"] > before["held_out"] + 0.2, after
    assert after["mnist_validation"] >= before["mnist_validation"] - MAX_MNIST_DROP, after
    assert tune["promoted"] and "Promoted" in out
    # The MNIST test set is measured and printed, labelled as reported only.
    assert "decides promotion" in out and "MNIST validation slice (5,000)" in out
    assert out.index("reported only, never decides") < out.index("MNIST test set (10,000)")
    assert card["test_accuracy"] == tune["reported_only"]["mnist_test"]["after"]
    assert card["validation_accuracy"] == pytest.approx(after["mnist_validation"], abs=1e-6)
    assert tune["validation"]["mnist_train"] == MNIST_VALIDATION
    assert tune["validation"]["base_never_trained_on_it"] is True  # the shipped members' split
    # The shipped files now are the new version, and the server would serve it as such.
    assert read_card(base)["version"] == card["version"]
    assert DigitClassifier(base.with_suffix(".tflite")).version == card["version"]
    # ... exported dynamic-range quantized, as the shipped digit model is.
    assert card["served"] == DYNAMIC_RANGE
    assert is_quantized(base.with_suffix(".tflite"), card["parameters"])


def test_finetune_that_forgets_mnist_is_not_promoted(
    corrections_db, tmp_path, capsys, training_spy
):
    base = shipped_copy(tmp_path / "saved")
    before = base.read_bytes()
    # Far too big a learning rate: the model forgets what it knew.
    card = finetune(
        base, corrections_db, "--learning-rate", "0.05", "--mnist-subset", "2000", "--drawn", "300"
    )
    out = capsys.readouterr().out
    tune = card["finetune"]
    assert not tune["promoted"]
    assert tune["after"]["mnist_validation"] < tune["before"]["mnist_validation"] - MAX_MNIST_DROP
    assert "Not promoted: MNIST validation accuracy fell" in out
    assert base.read_bytes() == before and "version" not in read_card(base)

    # Nothing it trained on is a digit of the validation slice: not as an MNIST input, and not
    # traced for its drawn replay.
    (x_train, _), _ = load_mnist(verbose=False)
    validation, _, _ = mnist_parts(len(x_train), 2000, seed=1234)
    slice_images = {image.tobytes() for image in x_train[validation]}
    slice_inputs = {row.tobytes() for row in preprocess_mnist(x_train[validation])}
    (traced_from,) = training_spy["traced_from"]
    (inputs,) = training_spy["inputs"]
    assert len(traced_from) == len(x_train) - MNIST_VALIDATION
    assert not slice_images & {image.tobytes() for image in traced_from}
    assert len(inputs) == 2000 + 300 + card["finetune"]["corrections"] - tune["held_out"]
    assert not slice_inputs & {row[..., 0].tobytes() for row in inputs}


def test_feedback_export_writes_npz_and_contact_sheet(corrections_db, tmp_path):
    count = export(corrections_db, tmp_path)
    x, y, predicted = load_corrections(tmp_path / "corrections.npz")
    assert len(x) == len(y) == count > 0 and set(y) <= set(MIRRORED)
    assert (predicted != y).all()
    db_x, _, _ = load_corrections(corrections_db)
    np.testing.assert_array_equal(x, db_x)
    assert (tmp_path / "corrections.png").stat().st_size > 1000


def figures(validation, drawings, held_out, test):
    return {
        "mnist_validation": validation,
        "validation_drawings": drawings,
        "held_out": held_out,
        "mnist_test": test,
    }


@pytest.mark.parametrize(
    ("before", "after", "promoted"),
    [
        (figures(0.99, 0.99, 0.2, 0.99), figures(0.989, 0.988, 0.5, 0.99), True),  # at the limits
        (figures(0.99, 0.99, 0.2, 0.99), figures(0.9889, 0.99, 0.5, 0.99), False),  # MNIST val.
        (figures(0.99, 0.99, 0.2, 0.99), figures(0.99, 0.9879, 0.5, 0.99), False),  # drawings
        (figures(0.99, 0.99, 0.2, 0.99), figures(0.995, 0.995, 0.2, 0.99), False),  # not better
        # The MNIST test set disagrees with validation: validation decides.
        (figures(0.99, 0.99, 0.2, 0.99), figures(0.99, 0.99, 0.5, 0.90), True),
        (figures(0.99, 0.99, 0.2, 0.99), figures(0.98, 0.99, 0.5, 1.00), False),
    ],
)
def test_finetune_promotion_rule(before, after, promoted):
    assert promotion(before, after)[0] is promoted


def test_finetune_promotion_never_reads_the_test_set():
    class NoTestSet(dict):
        def __getitem__(self, key):
            assert "test" not in key, f"promotion read {key}"
            return super().__getitem__(key)

    before, after = figures(0.99, 0.99, 0.2, 0.99), figures(0.99, 0.99, 0.5, 0.5)
    assert promotion(NoTestSet(before), NoTestSet(after)) == promotion(
        {k: v for k, v in before.items() if k != "mnist_test"},
        {k: v for k, v in after.items() if k != "mnist_test"},
    )


def test_finetune_validation_slice_is_fixed_and_apart_from_what_it_trains_on():
    validation, replayed, pool = mnist_parts(60000, 24000, seed=7)
    assert len(validation) == len(set(validation)) == MNIST_VALIDATION
    assert len(replayed) == len(set(replayed)) == 24000
    assert not set(validation) & set(replayed) and not set(validation) & set(pool)
    assert len(pool) == 60000 - MNIST_VALIDATION and set(replayed) <= set(pool)
    # The same slice whatever the fine-tune's seed, cut from model.train's validation split
    # at its default seed, so the shipped members never trained on it either.
    assert np.array_equal(mnist_parts(60000, 12000, seed=8)[0], validation)
    assert set(validation) <= set(validation_split(60000, 0.1, 1234)[0])


@pytest.mark.parametrize(
    ("card", "never"),
    [
        (
            {
                "seed": 1234,
                "data": {"train": 54000, "validation": 6000},
                "members": [{"seed": 1234}, {"seed": 1234}],
            },
            True,
        ),
        ({"seed": 1234, "data": {"train": 54000, "validation": 6000}}, True),
        ({"seed": 1234, "data": {"train": 60000, "validation": 0}}, False),  # the MLP's recipe
        ({"seed": 99, "data": {"train": 54000, "validation": 6000}}, None),
        ({"finetune": {"validation": {"base_never_trained_on_it": True}}}, True),
    ],
)
def test_finetune_card_says_whether_the_base_held_the_slice_out(card, never):
    assert base_never_trained_on_validation(card, 60000) is never


def test_finetune_split_keeps_held_out_apart():
    x, y = np.arange(40).reshape(40, 1), np.arange(40)
    (x_fit, y_fit), (x_held, y_held) = split_corrections(x, y, 0.25, seed=3)
    assert len(y_held) == 10 and len(y_fit) == 30
    assert not set(y_fit) & set(y_held) and set(y_fit) | set(y_held) == set(range(40))


@pytest.mark.parametrize(
    ("data", "mnist_subset", "drawn", "expected"),
    [
        (
            {"train": 54000, "drawn": {"traced_mnist_train": 24000, "templates": 12000}},
            12000,
            None,
            (5333, 2667),
        ),  # the base's 2 drawn digits per 3 MNIST ones
        (
            {"train": 54000, "drawn": {"traced_mnist_train": 24000, "templates": 12000}},
            12000,
            300,
            (200, 100),
        ),
        (
            {"train": 54000, "drawn": {"traced_mnist_train": 24000, "templates": 12000}},
            12000,
            0,
            (0, 0),
        ),
        ({"train": 60000, "drawn": {"traced_mnist_train": 0, "templates": 0}}, 12000, None, (0, 0)),
        ({}, 12000, None, (0, 0)),  # a card from before drawn training
    ],
)
def test_finetune_replays_drawn_digits_in_the_bases_proportion(data, mnist_subset, drawn, expected):
    assert drawn_replay({"data": data}, mnist_subset, drawn) == expected
