"""Every `python -m model.*` command answers --help before it loads TensorFlow: the heavy imports
come after the arguments are parsed (about 0.2-1.5 s instead of 8-10 s)."""

import subprocess
import sys

import pytest

COMMANDS = [
    "model.train",
    "model.finetune",
    "model.train_notdigit",
    "model.train_onedigit",
    "model.train_number",
    "model.ensemble",
    "model.notdigit_ensemble",
    "model.number_ensemble",
    "model.evaluate",
    "model.export",
    "model.predict",
    "model.correction_data",
]
# Run the command's --help as `python -m` would, then say which deep-learning library loaded.
HELP_THEN_LIST = """
import runpy, sys
sys.argv = [{module!r}, *{args!r}]
try:
    runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
except SystemExit as done:
    assert done.code in (0, None), done.code
print("loaded:", sorted({{"tensorflow", "keras"}} & set(sys.modules)))
"""


def help_of(module, *args):
    result = subprocess.run(
        [sys.executable, "-c", HELP_THEN_LIST.format(module=module, args=[*args, "--help"])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("module", COMMANDS)
def test_cli_help_loads_no_tensorflow(module):
    out = help_of(module)
    assert f"usage: python -m {module}" in out
    assert out.rstrip().endswith("loaded: []"), out[-300:]


def test_cli_train_finetune_is_the_finetune_command():
    """The older spelling, `python -m model.train --finetune ...`, runs model.finetune."""
    out = help_of("model.train", "--finetune")
    assert "usage: python -m model.finetune" in out and "--feedback" in out
    assert out.rstrip().endswith("loaded: []")


def test_cli_train_saves_each_architecture_under_its_own_name():
    from model.architectures import ARCHITECTURES
    from model.train import RECIPES, default_out, parse_args
    from reading.models import DIGITS

    assert set(RECIPES) == set(ARCHITECTURES)  # each architecture trains by its own recipe
    assert default_out("cnn") == DIGITS.keras  # the shipped model
    assert default_out("mlp") == DIGITS.keras.with_name("mlp.keras")
    assert default_out("other") == DIGITS.keras.with_name("other.keras")
    assert parse_args([]).arch == "cnn"
