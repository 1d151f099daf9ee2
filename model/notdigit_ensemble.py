"""Average several trained not-digit models into the served one, with its card.

    python -m model.notdigit_ensemble member_a.keras member_b.keras

Two not-digit models trained alike from other seeds (another split of MNIST, other drawings,
other starting weights) are unsure of different drawings: their average refuses more of the
validation non-digits for as many digits refused as either alone (docs/experiments/verdict.md).
The card is judged on the first member's validation split as one model's is
(model/train_notdigit.py); the others trained on part of it, so those figures flatter the
average and choose nothing served. The served threshold is chosen end to end on the benchmark's
validation drawings, which no member saw (benchmarks/choose_notdigit_threshold.py).
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from model import card as cards  # noqa: E402
from reading.models import NOT_DIGIT  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.notdigit_ensemble",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("members", type=Path, nargs="+", help="trained not-digit .keras models")
    parser.add_argument(
        "--out",
        type=Path,
        default=NOT_DIGIT.keras,
        help=f"where to save the average (default: {NOT_DIGIT.keras})",
    )
    args = parser.parse_args(argv)

    from model import fitting
    from model.architectures import load_model
    from model.card_text import notdigit_card_markdown
    from model.ensemble import average_of
    from model.train_notdigit import judge, validation_set

    member_cards = [cards.read_card(path) for path in args.members]
    model = average_of([load_model(path) for path in args.members])
    model.name = args.out.stem
    first = member_cards[0]
    # The members' validation split, drawn again as their training drew it.
    data = first["data"]
    print("Drawing training's validation split to judge the average on...", flush=True)
    validation, groups, x_test = validation_set(data["split_seed"], data["non_digits"])
    judged = judge(model, validation, groups, x_test, first["reject_share"])
    card = {
        **cards.common(
            args.out.stem,
            f"average of {len(member_cards)} x {first['arch']}",
            model.count_params(),
            seed=first["seed"],
            batch_size=first["batch_size"],
        ),
        "output": first["output"],
        "data": data,
        "epochs_run": sum(c["epochs_run"] for c in member_cards),
        "training_seconds": round(sum(c["training_seconds"] for c in member_cards), 1),
        **judged,
        "judged_on": "the first member's validation split, which the other members partly "
        "trained on: these figures flatter the average and choose nothing served",
        "members": [
            {"file": path.name, **{k: c[k] for k in ("seed", "threshold", "epochs_run")}}
            for path, c in zip(args.members, member_cards)
        ],
    }
    rejected = judged["validation_rejected"]
    fitting.save(
        model,
        args.out,
        card,
        markdown=notdigit_card_markdown,
        summary=(
            f"Saved {args.out}: training's threshold {card['threshold']:.4f}; validation digits "
            f"rejected {rejected['digits']:.2%}, non-digits {rejected['non-digits']:.2%}. "
            "Choose the served threshold: python benchmarks/choose_notdigit_threshold.py --write"
        ),
    )


if __name__ == "__main__":
    main()
