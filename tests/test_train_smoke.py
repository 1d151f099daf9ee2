"""Training end to end on a small subset: it writes a model, a card and plots that load again."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
from exported import is_quantized

from model import ensemble, notdigit_ensemble, train_notdigit
from model import export as exporting
from model.architectures import load_model
from model.card import read_card
from model.train import parse_args, train
from webapp.classifier import DigitClassifier, NotDigitModel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke") / "smoke.keras"
    card = train(
        parse_args(
            [
                "--subset",
                "1000",
                "--epochs",
                "1",
                "--traced",
                "200",
                "--templates",
                "100",
                "--out",
                str(out),
            ]
        )
    )
    return out, card


def test_train_smoke_writes_a_model_that_loads_again(smoke_model):
    import keras

    out, card = smoke_model
    model = keras.models.load_model(out)
    assert model.count_params() == card["parameters"]
    assert read_card(out) == card
    assert card["epochs_run"] == 1 and card["data"]["train"] == 900
    assert card["data"]["drawn"] == {"traced_mnist_train": 200, "templates": 100}
    # Measured: 44.77 % of MNIST's test set after this one epoch (chance is 10 %); the floor
    # leaves 15 points of margin for other CPUs and library versions.
    assert card["test_accuracy"] >= 0.30
    assert sum(map(sum, card["confusion_matrix"])) == 10_000
    assert np.trace(card["confusion_matrix"]) == round(card["test_accuracy"] * 10_000)
    for suffix in (".curves.png", ".confusion.png", ".card.md"):
        assert out.with_suffix(suffix).stat().st_size > 500


def test_train_smoke_export_is_served(smoke_model):
    out, card = smoke_model
    classifier = DigitClassifier(out.with_suffix(".tflite"))
    assert classifier.card["name"] == "smoke"
    # A digit model is served dynamic-range quantized, and its card says so.
    assert is_quantized(out.with_suffix(".tflite"), card["parameters"])
    assert card["served"] == exporting.DYNAMIC_RANGE
    assert f"Served: {exporting.DYNAMIC_RANGE}" in out.with_suffix(".card.md").read_text()


def test_export_cli_quantizes_the_digit_model_unless_asked_for_float(smoke_model, tmp_path):
    out, card = smoke_model
    model = tmp_path / "digits.keras"
    for suffix in (".keras", ".card.json"):
        shutil.copyfile(out.with_suffix(suffix), model.with_suffix(suffix))
    exporting.main(["--model", str(model)])
    assert is_quantized(model.with_suffix(".tflite"), card["parameters"])
    assert read_card(model)["served"] == exporting.DYNAMIC_RANGE
    quantized_size = model.with_suffix(".tflite").stat().st_size
    exporting.main(["--model", str(model), "--float"])
    assert not is_quantized(model.with_suffix(".tflite"), card["parameters"])
    assert read_card(model)["served"] == exporting.FLOAT
    assert model.with_suffix(".tflite").stat().st_size > 3 * quantized_size


def test_ensemble_of_digit_models_is_exported_quantized(smoke_model, tmp_path):
    out, card = smoke_model
    together = tmp_path / "together.keras"
    ensemble.main([str(out), str(out), "--out", str(together)])
    assert read_card(together)["served"] == exporting.DYNAMIC_RANGE
    # Its two members are one model twice: the file holds their weights once.
    assert is_quantized(together.with_suffix(".tflite"), card["parameters"])
    assert DigitClassifier(together.with_suffix(".tflite")).card["members"]


def test_notdigit_members_average_into_a_served_model(tmp_path):
    """Two small not-digit models from other seeds average into one, judged on the first one's
    validation split, served with one probability: the mean of theirs."""
    tiny = ["--mnist", "300", "--traced", "100", "--templates", "100", "--non-digits", "400"]
    members = []
    for seed in (1, 2):
        out = tmp_path / f"member{seed}.keras"
        train_notdigit.main([*tiny, "--epochs", "1", "--seed", str(seed), "--out", str(out)])
        members.append(out)
    cards = [read_card(path) for path in members]
    average = tmp_path / "notdigit.keras"
    notdigit_ensemble.main([*map(str, members), "--out", str(average)])
    card = read_card(average)
    assert [m["seed"] for m in card["members"]] == [1, 2]
    assert card["data"] == cards[0]["data"] and "first member" in card["judged_on"]
    assert 0.0 < card["threshold"] < 1.0 and card["validation_rejected"]["digits"] <= 0.011
    assert "seed 2" in average.with_suffix(".card.md").read_text()
    served = NotDigitModel(average.with_suffix(".tflite"))
    x = np.zeros((28, 28), dtype=np.float32)
    x[4:24, 12:16] = 1.0  # a 1
    alone = [load_model(path).predict(x[None, ..., None], verbose=0) for path in members]
    assert served.probability(x) == pytest.approx(float(np.mean(alone)), abs=1e-4)


def test_train_smoke_mlp_is_the_tutorials_model(tmp_path):
    out = tmp_path / "mlp.keras"
    card = train(
        parse_args(
            ["--arch", "mlp", "--subset", "320", "--epochs", "1", "--out", str(out), "--no-export"]
        )
    )
    assert card["parameters"] == 784 * 128 + 128 + 128 * 10 + 10
    assert card["batch_size"] == 32 and card["augmentation"] == "none"
    assert not any(card["data"]["drawn"].values())  # the tutorial trains on MNIST alone


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_evaluate_recomputes_the_card(smoke_model):
    out, card = smoke_model
    result = run_cli("model.evaluate", "--model", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Test accuracy: {card['test_accuracy'] * 100:.2f} %" in result.stdout
    assert "matches." in result.stdout


def test_cli_predict_prints_digit_and_probabilities(smoke_model, tmp_path):
    from drawing import draw_digit
    from strokes import DIGIT_STROKES

    out, _ = smoke_model
    drawing = tmp_path / "one.png"
    draw_digit(DIGIT_STROKES[1]).save(drawing)
    result = run_cli("model.predict", "--model", str(out), str(drawing))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": 0.") + result.stdout.count(": 1.") == 10


@pytest.mark.parametrize("cli", ["model.train", "model.evaluate", "model.predict", "model.export"])
def test_cli_help_explains_the_options(cli):
    result = run_cli(cli, "--help")
    assert result.returncode == 0 and "usage: python -m " + cli in result.stdout
