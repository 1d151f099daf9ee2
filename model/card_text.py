"""The model cards for people: each kind of model's card.json rendered as Markdown."""


def card_markdown(card):
    """A short human-readable version of the card."""
    lines = [
        f"# Model card: {card['name']}",
        "",
        f"- Architecture: `{card['arch']}`, {card['parameters']:,} parameters",
        f"- Data: {card['data']['source']}; trained on {card['data']['train']:,} images, "
        f"validated on {card['data']['validation']:,}, tested on {card['data']['test']:,}",
        f"- Drawn digits added to training"
        f"{' (the member with most)' if card.get('members') else ''}: {_drawn(card['data'])}",
        f"- Preprocessing: {card['preprocessing']}",
        f"- Training: {card['epochs_run']} epochs in {card['training_seconds']:.0f} s "
        f"(batch {card['batch_size']}, seed {card['seed']}, augmentation: {card['augmentation']})",
        f"- **Test accuracy: {card['test_accuracy'] * 100:.2f} %** "
        f"({card['test_errors']} errors in {card['data']['test']:,})",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}",
        *_served_lines(card),
        *_member_lines(card),
        *_finetune_lines(card),
        *_calibration_lines(card),
        "",
        "| digit | " + " | ".join(str(d) for d in range(10)) + " |",
        "|---" * 11 + "|",
        "| accuracy % | "
        + " | ".join(f"{card['per_digit_accuracy'][str(d)] * 100:.2f}" for d in range(10))
        + " |",
        "",
        "Confusion matrix (rows: true digit, columns: predicted):",
        "",
        "| | " + " | ".join(str(d) for d in range(10)) + " |",
        "|---" * 11 + "|",
    ]
    lines += [
        f"| **{d}** | " + " | ".join(str(v) for v in row) + " |"
        for d, row in enumerate(card["confusion_matrix"])
    ]
    return "\n".join(lines) + "\n"


def _served_lines(card):
    served = card.get("served")
    return [f"- Served: {served} (`{card['name']}.tflite`)"] if served else []


def _member_lines(card):
    return [
        f"- Member `{m['file']}`: `{m['arch']}`, {m['parameters']:,} parameters, drawn digits "
        f"{_drawn({'drawn': m['drawn']})}; {m['epochs_run']} epochs in "
        f"{m['training_seconds']:.0f} s; test accuracy {m['test_accuracy'] * 100:.2f} %"
        for m in card.get("members", [])
    ]


def _finetune_lines(card):
    tune = card.get("finetune")
    if not tune:
        return []
    b, a, test = tune["before"], tune["after"], tune["reported_only"]["mnist_test"]
    return [
        f"- Version `{card['version']}`: fine-tuned from `{tune['base_version']}` on "
        f"{tune['mnist_subset']:,} MNIST digits and {tune['corrections'] - tune['held_out']} "
        f"corrections (weight {tune['feedback_weight']:g}); decided on held-out corrections "
        f"{b['held_out'] * 100:.1f} % -> {a['held_out'] * 100:.1f} %, MNIST validation "
        f"{b['mnist_validation'] * 100:.2f} % -> {a['mnist_validation'] * 100:.2f} %, "
        f"validation drawings {b['validation_drawings'] * 100:.2f} % -> "
        f"{a['validation_drawings'] * 100:.2f} %: "
        f"{'promoted' if tune['promoted'] else 'not promoted'} ({tune['why']}); MNIST test "
        f"{test['before'] * 100:.2f} % -> {test['after'] * 100:.2f} % (reported only)"
    ]


def _calibration_lines(card):
    calib = card.get("calibration")
    if not calib:
        return []
    return [
        f"- Calibration of the confidence (top probability) on the MNIST test set: expected "
        f"calibration error **{calib['ece'] * 100:.2f} %** ({calib['bins']} equal bins); "
        f"reliability diagram: `{card['name']}.reliability.png`"
    ]


def notdigit_card_markdown(card):
    """The not-digit model's card for people."""
    val = card["validation_rejected"]
    kinds = ", ".join(
        f"{k.removeprefix('non-digit ')} {v * 100:.1f} %"
        for k, v in val.items()
        if k.startswith("non-digit ")
    )
    curve = "; ".join(
        f"{c['reject_share'] * 100:g} % of digits, "
        f"{c['non_digits_rejected'] * 100:.1f} % of non-digits"
        for c in card.get("validation_curve", [])
    )
    sources = ", ".join(f"{k} {val[k] * 100:.2f} %" for k in ("mnist", "traced", "templates"))
    data = card["data"]
    trained = card.get("training_threshold")
    at = f" at training's threshold {trained:.4f}" if trained is not None else ""
    return (
        "\n".join(
            [
                f"# Model card: {card['name']}",
                "",
                f'- What: {card["output"]} (one sigmoid output); the server answers `"digit": null, '
                f'"reason": "not_a_digit"` above the **threshold {card["threshold"]:.4f}**',
                f"- Architecture: `{card['arch']}`, {card['parameters']:,} parameters "
                "(model/notdigit.py)",
                f"- Digits: {data['mnist_train']:,} MNIST training images, "
                f"{data['traced_mnist_train']:,} traced and redrawn with random pens, "
                f"{data['templates']:,} template digits (model/drawn.py)",
                f"- Non-digits: {data['non_digits']:,} template letters, scribbles and shapes written "
                "by the training stream (drawings/letters.py, shapes.py); no font glyph (fonts stand in for unseen writers)",
                f"- Preprocessing: {card['preprocessing']}",
                f"- Training: {card['epochs_run']} epochs in {card['training_seconds']:.0f} s "
                f"(batch {card['batch_size']}, seed {card['seed']}, the digit model's augmentation)",
                *_averaged_lines(card),
                *_threshold_lines(card, data),
                f"- Validation digits rejected{at}: {sources} (all {val['digits'] * 100:.2f} %)",
                f"- Validation non-digits rejected{at}: {kinds} (all {val['non-digits'] * 100:.1f} %)",
                *([f"- Validation trade-off, rejecting: {curve}"] if curve else []),
                f"- MNIST test digits rejected: {card['mnist_test_rejected'] * 100:.2f} % (reported, "
                "never used to choose)",
                "- Held-out non-digits (handwriting-font letters, the benchmark's own scribbles and "
                "shapes) and the drawn-digit benchmark: `benchmarks/drawn_digits.py --non-digits`, "
                "figures in the README",
                f"- Versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}",
            ]
        )
        + "\n"
    )


def _averaged_lines(card):
    """For an average of not-digit models (model/notdigit_ensemble.py): its members, each with its seed
    (the training figure above is theirs together)."""
    if "members" not in card:
        return []
    members = ", ".join(f"{m['file']} (seed {m['seed']})" for m in card["members"])
    return [
        f"- Members, their probabilities averaged: {members}",
        f"- Validation figures below: on {card['judged_on']}",
    ]


def _threshold_lines(card, data):
    """How the served threshold was chosen: by training on its validation split, or later,
    end to end on validation drawings (then training's own is kept beside it)."""
    trained = (
        f"chosen so that {card['reject_share'] * 100:.1f} % of the "
        f"{data['validation']:,}-image validation set's digits are rejected"
    )
    if "threshold_chosen" not in card:
        return [f"- Threshold: {trained}"]
    return [
        f"- Threshold: {card['threshold_chosen']}",
        f"- Training's own threshold, {card['training_threshold']:.4f}, was {trained}",
    ]


def onedigit_card_markdown(card):
    """The one-digit model's card for people."""
    data, val = card["data"], card["validation"]
    return (
        "\n".join(
            [
                f"# Model card: {card['name']}",
                "",
                f"- What: {card['output']} (one sigmoid output); reading a number "
                "(reading/search.py) adds its log to each piece's score",
                f"- Architecture: `{card['arch']}`, {card['parameters']:,} parameters "
                "(model/onedigit.py)",
                f"- Data: {data['numbers']:,} numbers of 2 to 8 digits written from training strokes "
                f"and cut as the reader cuts them: {data['pieces']:,} pieces, "
                f"{data['one_digit_share'] * 100:.1f} % of them one whole digit",
                f"- Preprocessing: {card['preprocessing']}",
                f"- Training: {card['epochs_run']} epochs in {card['training_seconds']:.0f} s "
                f"(batch {card['batch_size']}, seed {card['seed']})",
                f"- Validation ({data['validation_pieces']:,} pieces of other numbers): accuracy "
                f"{val['accuracy'] * 100:.2f} %, AUC {val['auc']:.4f}",
                "- Held-out test: the drawn-digit benchmark's numbers "
                "(`benchmarks/drawn_digits.py --numbers`), figures in the README",
                f"- Versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}",
            ]
        )
        + "\n"
    )


def _drawn(data):
    drawn = data.get("drawn") or {}
    if not any(drawn.values()):
        return "none"
    return (
        f"{drawn['traced_mnist_train']:,} MNIST training digits traced and redrawn with random "
        f"pens, {drawn['templates']:,} template digits (model/drawn.py)"
    )


def number_card_markdown(card):
    """The number model's card for people."""
    data = card["data"]
    last = card["epochs"][-1] if card["epochs"] else {}
    return (
        "\n".join(
            [
                f"# Model card: {card['name']}",
                "",
                f"- What: {card['output']}; reading a number (reading/search.py) weighs each "
                "way of cutting the ink by the log probability of the digits it reads, and groups the "
                "pieces around the digits it sees when it is much surer of them",
                f"- Architecture: `{card['arch']}`, {card['parameters']:,} parameters "
                f"(model/number.py{widened(card, ', {}')}), trained with CTC",
                f"- Data: {data['lines']:,} lines of 1 to 9 symbols written from training strokes "
                "(MNIST training digits traced and template digits; in a fifth of the lines, some "
                'are the not-digit model\'s training letters, scribbles and shapes, labelled "?"), '
                "spacing from overlapping to apart (three lines in four keep "
                "to one spacing of their own), one random pen each; each batch stretched sideways by "
                f"0.8 to 1.25{many_ones(card, '; {}')}; no font glyph (fonts stand in for unseen writers)",
                f"- Preprocessing: {card['preprocessing']}",
                f"- Training: {len(card['epochs'])} epochs in {card['seconds']:.0f} s "
                f"(batch {card['batch_size']}, seed {card['seed']}); last CTC loss {last.get('loss')}",
                f"- Validation ({data['validation_lines']:,} lines of another stream): "
                f"{card['validation']['exact'] * 100:.2f} % of the numbers of digits alone read "
                f"exactly, {card['validation']['exact_with_non_digits'] * 100:.2f} % of the "
                f"{data['validation_with_non_digits']:,} lines with non-digits",
                "- Held-out test: the drawn-digit benchmark's numbers "
                "(`benchmarks/drawn_digits.py --numbers`), figures in the README",
                f"- Versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}",
            ]
        )
        + "\n"
    )


def many_ones(card, form):
    """What a number model's card says of its lines with many 1s (train_number --ones), put
    in `form`; nothing if it had none."""
    ones = card.get("ones", 0.0)  # cards written before --ones have none
    return form.format(f"{ones * 100:.0f} % of the lines with many 1s") if ones else ""


def widened(card, form):
    """What a number model's card says of its width (train_number --width), put in `form`;
    nothing at the width shipped first."""
    width = card.get("width", 1.0)  # cards written before --width have none
    return form.format(f"later layers' filters x {width:g}") if width != 1.0 else ""


def number_ensemble_card_markdown(card):
    """The card of several number models read as one (model/number_ensemble.py)."""
    data = card["data"]
    members = [
        f"  - `{m['file']}`: seed {m['seed']}{many_ones(m, ' ({})')}"
        f"{widened(m, ' ({})')}, "
        f"{len(m['epochs'])} epochs in "
        f"{m['seconds']:.0f} s; validation: {m['validation']['exact'] * 100:.2f} % of the "
        f"numbers of digits alone read exactly, "
        f"{m['validation']['exact_with_non_digits'] * 100:.2f} % of the lines with "
        "non-digits"
        for m in card["members"]
    ]
    return (
        "\n".join(
            [
                f"# Model card: {card['name']}",
                "",
                f"- What: {card['output']}; reading a number (reading/search.py) takes the "
                "reading the members find likeliest on average, weighs each way of cutting the ink by "
                "their mean log probability of the digits it reads, and groups the pieces around the "
                "digits seen when they are much surer of them",
                f"- Architecture: `{card['arch']}` (model/number.py, model/number_ensemble.py), "
                f"{card['parameters']:,} parameters in all, each member trained with CTC",
                f"- Data (each member, written from its own seed): {data['lines']:,} lines of 1 to 9 "
                "symbols written from training strokes, as in model/train_number.py; no font "
                "glyph (fonts stand in for unseen writers)",
                f"- Preprocessing: {card['preprocessing']}",
                f"- Members ({card['seconds']:.0f} s of training in all):",
                *members,
                "- Held-out test: the drawn-digit benchmark's numbers "
                "(`benchmarks/drawn_digits.py --numbers`), figures in the README",
                f"- Versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}",
            ]
        )
        + "\n"
    )
