"""Put several trained number models into one: each reads the line.

    python -m model.number_ensemble /tmp/a.keras /tmp/c.keras /tmp/e.keras
        # -> model/saved/number.keras, .tflite and card

Number models trained from different seeds (and data) misread different lines. Their column
probabilities cannot simply be averaged: each places its CTC spikes in its own columns, and a
spike averaged with another model's blank is lost. So the one model keeps each member's
columns, stacked (1, members, T, 12), and the reader (reading.line.LineReading)
takes the reading the members find likeliest on average. One wider model ships alone today:
read beside other members it read fewer numbers (docs/experiments/reading-numbers.md).
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from model import card as cards  # noqa: E402
from model.card_text import number_ensemble_card_markdown  # noqa: E402
from reading.models import NUMBER  # noqa: E402


def stacked(members):
    """One Keras model: a line (32, W, 1) -> each member's column probabilities, stacked
    (members, W / 4, 12)."""
    import keras

    for index, member in enumerate(members):
        member.name = f"member_{index}"  # nested models need unique names
    line = keras.Input(shape=(32, None, 1), name="line")
    columns = [keras.layers.Softmax()(member(line)) for member in members]  # (1, T, 12) each
    return keras.Model(
        line, keras.layers.Concatenate(axis=1, name="members")(columns), name="number_ensemble"
    )


def ensemble_card(out, member_paths, member_cards, parameters):
    """The ensemble's card: what its members share on top, each member's own figures inside."""
    first = member_cards[0]
    return {
        **cards.common(
            out.stem,
            f"ensemble of {len(member_cards)} x {first['arch']}",
            parameters,
            preprocessing=first["preprocessing"],
            input_shape=None,
        ),
        "output": f"{first['output']}, one row per member",
        "data": first["data"],
        "seconds": sum(c["seconds"] for c in member_cards),
        "members": [
            {
                "file": Path(path).name,
                "ones": c.get("ones", 0.0),
                "width": c.get("width", 1.0),
                **{k: c[k] for k in ("parameters", "seed", "seconds", "validation", "epochs")},
            }
            for path, c in zip(member_paths, member_cards)
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.number_ensemble",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("members", type=Path, nargs="+", help="trained number models (.keras)")
    parser.add_argument(
        "--out",
        type=Path,
        default=NUMBER.keras,
        help=f"where to save the ensemble (default: {NUMBER.keras})",
    )
    args = parser.parse_args(argv)

    import keras

    from model import fitting

    member_cards = [cards.read_card(path) for path in args.members]
    model = stacked([keras.models.load_model(path) for path in args.members])
    card = ensemble_card(args.out, args.members, member_cards, model.count_params())
    scores = ", ".join(f"{c['validation']['exact'] * 100:.2f} %" for c in member_cards)
    fitting.save(
        model,
        args.out,
        card,
        markdown=number_ensemble_card_markdown,
        summary=(
            f"Saved {args.out}: {len(member_cards)} number models (validation numbers read "
            f"exactly: {scores})."
        ),
    )


if __name__ == "__main__":
    main()
