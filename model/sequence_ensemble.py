"""Put several trained number models into one: each reads the line.

    python -m model.sequence_ensemble /tmp/a.keras /tmp/c.keras /tmp/e.keras
        # -> model/saved/sequence.keras, .tflite and card

Number models trained from different seeds (and data) misread different lines. Their column
probabilities cannot simply be averaged: each places its CTC spikes in its own columns, and a
spike averaged with another model's blank is lost. So the one model keeps each member's
columns, stacked (1, members, T, 12), and the reader (reading.search.LineReading)
takes the reading the members find likeliest on average. Until 2026-11-27 three number
models shipped this way; since then one wider model ships alone (read beside the older ones,
it read fewer numbers: docs/experiments/reading-numbers.md).
"""

import argparse
import os
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from model import card as cards  # noqa: E402
from model.export import export_tflite  # noqa: E402
from model.sequence import SEQUENCE_MODEL  # noqa: E402


def stacked(members):
    """One Keras model: a line (32, W, 1) -> each member's column probabilities, stacked
    (members, W / 4, 12)."""
    for index, member in enumerate(members):
        member.name = f"member_{index}"  # nested models need unique names
    line = keras.Input(shape=(32, None, 1), name="line")
    columns = [keras.layers.Softmax()(member(line)) for member in members]  # (1, T, 12) each
    return keras.Model(line, keras.layers.Concatenate(axis=1, name="members")(columns),
                       name="sequence_ensemble")


def ensemble_card(out, member_paths, member_cards, parameters):
    """The ensemble's card: what its members share on top, each member's own figures inside."""
    first = member_cards[0]
    return {
        "name": out.stem,
        "arch": f"ensemble of {len(member_cards)} x {first['arch']}",
        "output": f"{first['output']}, one row per member",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": first["data"],
        "preprocessing": first["preprocessing"],
        "parameters": parameters,
        "seconds": sum(c["seconds"] for c in member_cards),
        "members": [{"file": Path(path).name, "ones": c.get("ones", 0.0),
                     "width": c.get("width", 1.0),
                     **{k: c[k] for k in (
            "parameters", "seed", "seconds", "validation", "epochs")}}
            for path, c in zip(member_paths, member_cards)],
        "versions": cards.versions(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m model.sequence_ensemble",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("members", type=Path, nargs="+", help="trained number models (.keras)")
    parser.add_argument("--out", type=Path, default=SEQUENCE_MODEL,
                        help=f"where to save the ensemble (default: {SEQUENCE_MODEL})")
    args = parser.parse_args(argv)

    member_cards = [cards.read_card(path) for path in args.members]
    model = stacked([keras.models.load_model(path) for path in args.members])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    card = ensemble_card(args.out, args.members, member_cards, int(model.count_params()))
    cards.write_card(args.out, card, cards.sequence_ensemble_card_markdown)
    export_tflite(model, args.out.with_suffix(".tflite"))
    scores = ", ".join(f"{c['validation']['exact'] * 100:.2f} %" for c in member_cards)
    print(f"Saved {args.out}: {len(member_cards)} number models (validation numbers read "
          f"exactly: {scores}).", flush=True)


if __name__ == "__main__":
    main()
