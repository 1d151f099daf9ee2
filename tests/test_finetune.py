"""The retraining loop for real: corrections in the database -> fine-tune -> promote or not.

The corrections are mirror-written 7s (as children often write them), drawn with random
pens by the training random stream, and only those the shipped model misreads: what people
would correct. Nothing is mocked: the real model, MNIST, SQLite and the CLI code.
"""

import shutil

import numpy as np
import pytest

from corrections import store
from model import SHIPPED_MODEL
from model.card import read_card
from model.drawn import render_strokes
from model.feedback import export, load_corrections
from model.finetune import MAX_MNIST_DROP, drawn_replay, promotion, split_corrections
from model.preprocess import normalize_ink
from model.strokes import rng_for
from model.strokes.templates import random_template
from model.train import main as train_main
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
        mirrored = [np.column_stack([1 - np.asarray(s)[:, 0], np.asarray(s)[:, 1]])
                    for s in strokes]
        x.append(normalize_ink(render_strokes(mirrored, float(rng.uniform(0.06, 0.2)))))
        y.append(digit)
    return np.stack(x), np.array(y)


@pytest.fixture(scope="module")
def corrections_db(tmp_path_factory):
    """A SQLite database of the corrections people would send: the misread mirrored digits."""
    from model.architectures import load_model

    x, y = mirror_written(300, seed=1)
    probabilities = load_model(SHIPPED_MODEL).predict(x[..., None], verbose=0)
    predicted = probabilities.argmax(1)
    url = f"sqlite:///{tmp_path_factory.mktemp('fb') / 'feedback.sqlite3'}"
    store.migrate(url)
    engine = store.open_engine(url)
    for xi, yi, pi, probs in zip(x, y, predicted, probabilities):
        if pi != yi:
            store.add_correction(engine, image=b"(simulated)", x=xi, label=yi, predicted=pi,
                                 probabilities=probs, model_version="digits-test")
    engine.dispose()
    return url


def shipped_copy(folder):
    """The shipped model's files in folder, so promotion replaces copies, not the real ones."""
    folder.mkdir()
    for suffix in (".keras", ".tflite", ".card.json", ".card.md"):
        shutil.copyfile(SHIPPED_MODEL.with_suffix(suffix), folder / f"digits{suffix}")
    return folder / "digits.keras"


def finetune(base, feedback, *options):
    train_main(["--finetune", "--feedback", str(feedback), "--base", str(base),
                "--versions-dir", str(base.parent / "versions"), "--mnist-subset", "12000",
                "--epochs", "2", "--feedback-weight", "1", *options])
    (card,) = [read_card(p) for p in (base.parent / "versions").glob("*.keras")]
    return card


def test_finetune_learns_the_corrections_and_is_promoted(corrections_db, tmp_path, capsys):
    x, _, _ = load_corrections(corrections_db)
    assert len(x) >= 100, "the shipped model should misread many mirror-written digits"
    base = shipped_copy(tmp_path / "saved")
    card = finetune(base, corrections_db)
    out = capsys.readouterr().out
    tune = card["finetune"]
    assert tune["held_out"] == round(len(x) * 0.25)
    assert tune["after"]["held_out"] > tune["before"]["held_out"] + 0.2, tune["after"]
    assert tune["after"]["mnist"] >= tune["before"]["mnist"] - MAX_MNIST_DROP, tune["after"]
    assert tune["promoted"] and "Promoted" in out
    assert "MNIST test set" in out and "held-out corrections" in out
    # The shipped files now are the new version, and the server would serve it as such.
    assert read_card(base)["version"] == card["version"]
    assert DigitClassifier(base.with_suffix(".tflite")).version == card["version"]


def test_finetune_that_forgets_mnist_is_not_promoted(corrections_db, tmp_path, capsys):
    base = shipped_copy(tmp_path / "saved")
    before = base.read_bytes()
    # Far too big a learning rate: the model forgets what it knew.
    card = finetune(base, corrections_db, "--learning-rate", "0.05", "--mnist-subset", "2000")
    out = capsys.readouterr().out
    assert not card["finetune"]["promoted"]
    assert card["finetune"]["after"]["mnist"] < card["finetune"]["before"]["mnist"] - MAX_MNIST_DROP
    assert "Not promoted: MNIST test accuracy fell" in out
    assert base.read_bytes() == before and "version" not in read_card(base)


def test_feedback_export_writes_npz_and_contact_sheet(corrections_db, tmp_path):
    count = export(corrections_db, tmp_path)
    x, y, predicted = load_corrections(tmp_path / "corrections.npz")
    assert len(x) == len(y) == count > 0 and set(y) <= set(MIRRORED)
    assert (predicted != y).all()
    db_x, _, _ = load_corrections(corrections_db)
    np.testing.assert_array_equal(x, db_x)
    assert (tmp_path / "corrections.png").stat().st_size > 1000


@pytest.mark.parametrize(("before", "after", "promoted"), [
    ({"mnist": 0.99, "held_out": 0.2}, {"mnist": 0.989, "held_out": 0.5}, True),  # -0.1 pt: ok
    ({"mnist": 0.99, "held_out": 0.2}, {"mnist": 0.9889, "held_out": 0.5}, False),
    ({"mnist": 0.99, "held_out": 0.2}, {"mnist": 0.995, "held_out": 0.2}, False),  # not better
])
def test_finetune_promotion_rule(before, after, promoted):
    assert promotion(before, after)[0] is promoted


def test_finetune_split_keeps_held_out_apart():
    x, y = np.arange(40).reshape(40, 1), np.arange(40)
    (x_fit, y_fit), (x_held, y_held) = split_corrections(x, y, 0.25, seed=3)
    assert len(y_held) == 10 and len(y_fit) == 30
    assert not set(y_fit) & set(y_held) and set(y_fit) | set(y_held) == set(range(40))


@pytest.mark.parametrize(("data", "mnist_subset", "drawn", "expected"), [
    ({"train": 54000, "drawn": {"traced_mnist_train": 24000, "templates": 12000}}, 12000, None,
     (5333, 2667)),  # the base's 2 drawn digits per 3 MNIST ones
    ({"train": 54000, "drawn": {"traced_mnist_train": 24000, "templates": 12000}}, 12000, 300,
     (200, 100)),
    ({"train": 54000, "drawn": {"traced_mnist_train": 24000, "templates": 12000}}, 12000, 0,
     (0, 0)),
    ({"train": 60000, "drawn": {"traced_mnist_train": 0, "templates": 0}}, 12000, None, (0, 0)),
    ({}, 12000, None, (0, 0)),  # a card from before drawn training
])
def test_finetune_replays_drawn_digits_in_the_bases_proportion(data, mnist_subset, drawn,
                                                               expected):
    assert drawn_replay({"data": data}, mnist_subset, drawn) == expected
