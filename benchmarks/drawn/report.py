"""Accuracy tables, the JSON report and the grid of misread drawings."""

import io
from collections import Counter

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from benchmarks.drawn.layout import LOOKS, SIZES, WIDTHS
from benchmarks.drawn.shown import WAY_NAMES, shown, shows_no_digit, top_digit, unsure

# Single digits shown right, by source (the targets); the traced MNIST digits are MNIST's test set.
TARGETS = {"mnist": 0.993, "templates": 0.995, "fonts": 0.985, "hershey": 0.985}
DEFAULT_TARGET = 0.985
BUCKET_SLACK = 0.01  # no look, width or size bucket more than 1 point below its source
PAGE_AGREEMENT = 0.99
BREAKDOWNS = {
    "look": LOOKS,
    "width": tuple(WIDTHS),
    "size": tuple(SIZES),
    "canvas": (280, 1080),
    "digit": tuple(range(10)),
}
CHECKED = ("look", "width", "size")  # the breakdowns the 1-point rule is for


NON_DIGITS_REJECTED = 0.95  # target: at least this share of held-out non-digits shows no digit
NON_DIGIT_KIND_REJECTED = 0.90  # and at least this share of each kind
DIGITS_REJECTED = 0.003  # while at most this share of each source's digits is refused


def answers(drawing):
    """The drawing's answers by way of asking; a drawing asked one way has it in .answer."""
    return getattr(drawing, "answers", None) or {"predict": drawing.answer}


def shown_text(drawing, way="predict"):
    """What the person is shown for the drawing asked `way` (benchmarks/drawn/shown.py)."""
    return shown(answers(drawing)[way])


def answer_of(drawing, way="predict"):
    """The digit shown for the drawing, or None: "not a digit", a number of several pieces,
    or an error such as empty_drawing. A digit refused as "not a digit" is wrong."""
    text = shown_text(drawing, way)
    return int(text) if text is not None and text.isdigit() and len(text) == 1 else None


def rejected(drawing, way="predict"):
    """Whether no digit was shown for the drawing."""
    return shows_no_digit(shown_text(drawing, way))


def _rejected_share(drawings, way):
    n = len(drawings)
    count = sum(rejected(d, way) for d in drawings)
    return {"n": n, "rejected": count, "share": count / n if n else None}


def non_digit_style(drawing):
    """What a held-out non-digit is counted under within its kind: a font letter by its
    letter, a word by its length (words are too many to count one by one), any other drawing
    by what it is."""
    name = drawing.style.rsplit("/", 1)[-1]
    return f"{len(name)} letters" if drawing.source == "words" else name


def summarize_non_digits(non_digits, drawings, ways=("predict",)):
    """Share of held-out non-digits shown as no digit by kind and style, and of the benchmark's
    digits shown as no digit by source, each way of asking."""
    return {
        "ways": {way: _non_digits_one_way(non_digits, drawings, way) for way in ways},
        "targets": {
            "non_digits_rejected": NON_DIGITS_REJECTED,
            "each_kind_rejected": NON_DIGIT_KIND_REJECTED,
            "digits_rejected": DIGITS_REJECTED,
        },
    }


def _non_digits_one_way(non_digits, drawings, way):
    kinds = sorted({d.source for d in non_digits}, key=[d.source for d in non_digits].index)
    by_kind = {k: _rejected_share([d for d in non_digits if d.source == k], way) for k in kinds}
    by_kind["all"] = _rejected_share(non_digits, way)

    by_style = {
        k: {
            s: _rejected_share(
                [d for d in non_digits if d.source == k and non_digit_style(d) == s], way
            )
            for s in sorted({non_digit_style(d) for d in non_digits if d.source == k})
        }
        for k in kinds
    }
    sources = sorted({d.source for d in drawings}, key=[d.source for d in drawings].index)
    digits = {s: _rejected_share([d for d in drawings if d.source == s], way) for s in sources}
    digits["all"] = _rejected_share(drawings, way)
    by_width = {w: _rejected_share([d for d in drawings if d.width == w], way) for w in WIDTHS}
    return {
        "non_digits": by_kind,
        "non_digits_by_style": by_style,
        "digits": digits,
        "digits_by_width": by_width,
        "meets_targets": (
            by_kind["all"]["share"] >= NON_DIGITS_REJECTED
            and all(st["share"] >= NON_DIGIT_KIND_REJECTED for st in by_kind.values())
            and all(st["share"] <= DIGITS_REJECTED for st in digits.values() if st["n"])
        ),
        "shown": [
            {**d.params(), "shown": shown_text(d, way)} for d in non_digits if not rejected(d, way)
        ],
    }


def print_non_digits(summary, out=print):
    """The not-a-digit tables, each way: held-out non-digits shown as no digit by kind, digits
    shown as no digit by source."""
    targets = summary["targets"]
    for way, one in summary["ways"].items():
        out(f"\n{WAY_NAMES[way]}")
        out(
            f"held-out non-digits shown as no digit (target >= "
            f"{targets['non_digits_rejected']:.0%}, each kind >= "
            f"{targets['each_kind_rejected']:.0%})"
        )
        for kind, st in one["non_digits"].items():
            out(f"  {kind:<14}{st['n']:>6}{100 * st['share']:>8.1f}%")
        for kind, styles in one["non_digits_by_style"].items():
            out(
                f"  {kind}: "
                + ", ".join(f"{s} {100 * st['share']:.0f}%" for s, st in styles.items())
            )
        out(
            f"benchmark digits refused as not a digit (target <= "
            f"{targets['digits_rejected']:.1%} each source)"
        )
        for source, st in one["digits"].items():
            out(f"  {source:<14}{st['n']:>6}{100 * st['share']:>8.2f}%")
        out(
            "  by pen width: "
            + ", ".join(f"{w} {100 * st['share']:.2f}%" for w, st in one["digits_by_width"].items())
        )
        out("targets " + ("met" if one["meets_targets"] else "NOT met"))


def _stats(drawings, way):
    """Drawings shown right (the headline), refused as not a digit, said unsure; and, asked
    the plain /api/predict way, the old secondary figure: its top digit, shown or not."""
    n = len(drawings)
    right = [answer_of(d, way) == d.label for d in drawings]
    said_unsure = [unsure(answers(d)[way]) for d in drawings]
    stats = {
        "n": n,
        "correct": sum(right),
        "accuracy": sum(right) / n if n else None,
        "refused": sum(rejected(d, way) for d in drawings),
        "unsure": sum(said_unsure),
        # Of the drawings said unsure, those whose top digit (the first named) is right.
        "unsure_right": sum(
            u and shown_text(d, way).split(" or ")[0] == str(d.label)
            for d, u in zip(drawings, said_unsure)
        ),
    }
    if way == "predict":
        top = sum(top_digit(d.answer) == d.label for d in drawings)
        stats["top_digit_accuracy"] = top / n if n else None
    return stats


def _key(drawing, name):
    if name == "canvas":
        return drawing.pixels
    return drawing.label if name == "digit" else getattr(drawing, name)


def style_of(drawing):
    """A template style names one digit's variant ('1-flag'); a font face covers all digits."""
    return f"{drawing.label}-{drawing.style}" if drawing.source == "templates" else drawing.style


def summarize(drawings, page=None, ways=("predict",)):
    """Everything the report says of single digits, each way of asking, as plain data."""
    report = {"ways": {way: _summarize_one_way(drawings, way) for way in ways}}
    if page:
        report["page_sample"] = page_summary(drawings, page)
    return report


def _summarize_one_way(drawings, way):
    sources = sorted({d.source for d in drawings}, key=[d.source for d in drawings].index)
    groups = {s: [d for d in drawings if d.source == s] for s in sources}
    groups["all"] = drawings
    by_source = {s: _stats(ds, way) for s, ds in groups.items()}
    for s in sources:
        by_source[s]["target"] = TARGETS.get(s, DEFAULT_TARGET)
        by_source[s]["meets_target"] = by_source[s]["accuracy"] >= by_source[s]["target"]
    breakdowns, weak = {}, []
    for name, buckets in BREAKDOWNS.items():
        breakdowns[name] = {}
        for bucket in buckets:
            breakdowns[name][str(bucket)] = row = {}
            for s, ds in groups.items():
                row[s] = _stats([d for d in ds if _key(d, name) == bucket], way)
                mean = by_source[s]["accuracy"]
                low = row[s]["n"] and row[s]["accuracy"] < mean - BUCKET_SLACK
                if s != "all" and name in CHECKED and low:
                    weak.append(f"{s} {name}={bucket}: {row[s]['accuracy']:.1%} vs {mean:.1%}")
    by_style = {
        s: {
            style: _stats([d for d in groups[s] if style_of(d) == style], way)
            for style in sorted({style_of(d) for d in groups[s]})
        }
        for s in sources
        if s != "mnist"
    }  # an MNIST style is one test image
    wrong = [d for d in drawings if answer_of(d, way) != d.label]
    confusions = Counter((d.label, shown_text(d, way)) for d in wrong).most_common(15)
    return {
        "by_source": by_source,
        "breakdowns": breakdowns,
        "weak_buckets": weak,
        "by_style": by_style,
        "confusions": [{"true": t, "shown": a, "count": c} for (t, a), c in confusions],
        "misread": [
            {
                **d.params(),
                "shown": shown_text(d, way),
                "confidence": answers(d)[way].get("confidence"),
            }
            for d in wrong
        ],
    }


def page_summary(drawings, page):
    """What the page itself showed for the sample drawn on it with the mouse, against the truth
    and against the same drawing's request sent the page's way by the benchmark."""
    by_id = {d.id: d for d in drawings}
    rows = [
        {
            **by_id[p["id"]].params(),
            "page_shows": p["shown"],
            "request_shows": p["request"],
            "page_css_px": p["css"],
            "page_canvas": p["pixels"],
            "error": p.get("error"),
        }
        for p in page
    ]
    n = len(rows)
    agree = sum(r["page_shows"] == r["request_shows"] for r in rows)

    def accuracy(key):
        buckets = sorted({r[key] for r in rows}, key=str)
        return {
            str(b): round(
                sum(r["page_shows"] == str(r["label"]) for r in rows if r[key] == b)
                / sum(r[key] == b for r in rows),
                4,
            )
            for b in buckets
        }

    return {
        "n": n,
        "accuracy": sum(r["page_shows"] == str(r["label"]) for r in rows) / n,
        "agreement_with_request": agree / n,
        "target_agreement": PAGE_AGREEMENT,
        "meets_target": agree / n >= PAGE_AGREEMENT,
        "accuracy_by_source": accuracy("source"),
        "accuracy_by_size": accuracy("size"),
        "accuracy_by_page_canvas": accuracy("page_canvas"),
        "drawings": rows,
    }


def _pct(stats):
    return "   -  " if not stats["n"] else f"{100 * stats['accuracy']:5.1f}%"


def print_tables(report, out=print):
    """The tables on stdout, each way of asking: shown right by source (with refused, unsure
    and the secondary top-digit figure), by look, width, size, canvas and digit, confusions."""
    for way, one in report["ways"].items():
        out(f"\n=== single digits, {WAY_NAMES[way]}: shown right ===")
        _print_one_way(one, out)
    if "page_sample" in report:
        p = report["page_sample"]
        out(
            f"\npage sample (drawn on the page with the mouse): n={p['n']}, shown right "
            f"{p['accuracy']:.1%}, same as the benchmark's request sent the page's way "
            f"{p['agreement_with_request']:.1%} (target {p['target_agreement']:.0%})"
        )
        for name in ("source", "size", "page_canvas"):
            out(
                f"  by {name}: "
                + ", ".join(f"{k} {v:.0%}" for k, v in p[f"accuracy_by_{name}"].items())
            )


def _print_one_way(one, out):
    sources = [s for s in one["by_source"] if s != "all"]
    secondary = "top_digit_accuracy" in one["by_source"]["all"]
    out(
        f"{'source':<12}{'n':>6}{'shown right':>13}{'target':>8}{'refused':>9}{'unsure':>8}"
        + (f"{'(top digit)':>13}" if secondary else "")
    )
    for s, st in one["by_source"].items():
        target = f"{100 * st['target']:.1f}%" if "target" in st else ""
        mark = "" if s == "all" else ("  ok" if st["meets_target"] else "  BELOW")
        extra = f"{100 * st['top_digit_accuracy']:>12.1f}%" if secondary else ""
        out(
            f"{s:<12}{st['n']:>6}{_pct(st):>13}{target:>8}{st['refused']:>9}{st['unsure']:>8}"
            f"{extra}{mark}"
        )
    every = one["by_source"]["all"]
    out(
        f"said not sure: {every['unsure']} of {every['n']}, the top digit named first right for "
        f"{every['unsure_right']}"
    )
    for name, rows in one["breakdowns"].items():
        out(f"by {name:<9}" + "".join(f"{s:>11}" for s in [*sources, "all"]))
        for bucket, row in rows.items():
            cells = []
            for s in [*sources, "all"]:
                mean = one["by_source"][s]["accuracy"]
                low = (
                    s != "all"
                    and name in CHECKED
                    and row[s]["n"]
                    and row[s]["accuracy"] < mean - BUCKET_SLACK
                )
                cells.append(f"{_pct(row[s])}{'!' if low else ' '}".rjust(11))
            out(f"  {bucket:<10}" + "".join(cells))
    out("  (! = a look, width or size more than 1 point below its source's accuracy)")
    worst = sorted(
        (st["accuracy"], s, style, st["n"])
        for s, styles in one["by_style"].items()
        for style, st in styles.items()
        if st["n"] >= 5
    )[:10]
    out(
        "weakest styles/faces (n >= 5): "
        + ", ".join(f"{s}/{style} {acc:.0%} (n={n})" for acc, s, style, n in worst)
    )
    out(
        "top confusions (true -> shown: count; None = not a digit): "
        + ", ".join(f"{c['true']}->{c['shown']}: {c['count']}" for c in one["confusions"])
    )


def _thumbnail(png, side):
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    # A checkerboard under a transparent canvas shows which look it was.
    checker = (np.indices((image.height, image.width)) // max(1, image.width // 16)).sum(0) % 2
    board = Image.fromarray((200 + 40 * checker).astype(np.uint8)).convert("RGBA")
    return (
        Image.alpha_composite(board, image)
        .convert("RGB")
        .resize((side, side), Image.Resampling.LANCZOS)
    )


def misread_grid(drawings, pngs, path, limit=240, columns=8, show=None):
    """A PNG grid of misread renderings with the model's 28x28 input, labelled true->answer.

    show: which drawings to put in the grid (default: those whose answer is not the label).
    """
    show = show or (lambda d: answer_of(d) != d.label)  # asked the plain /api/predict way
    wrong = [(d, png) for d, png in zip(drawings, pngs) if show(d)][:limit]
    cell_w, cell_h, side = 200, 136, 100
    rows = max(1, -(-len(wrong) // columns))
    grid = Image.new("RGB", (columns * cell_w, rows * cell_h), "white")
    pen = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=11)
    for i, (d, png) in enumerate(wrong):
        x, y = (i % columns) * cell_w, (i // columns) * cell_h
        grid.paste(_thumbnail(png, side), (x + 4, y + 4))
        if "input" in d.answer:
            seen = np.asarray(d.answer["input"], dtype=np.float32)
            seen = Image.fromarray((255 - 255 * seen).astype(np.uint8)).resize((56, 56))
            grid.paste(seen, (x + side + 8, y + 4))
        answer = shown_text(d) or "no digit"
        confidence = d.answer.get("confidence")
        text = f"{d.label}->{answer}" + (f" {confidence:.0%}" if confidence else "")
        pen.text((x + side + 8, y + 64), text, fill="crimson", font=font)
        pen.text((x + 4, y + side + 6), f"{d.source}/{d.style}"[:26], fill="black", font=font)
        pen.text(
            (x + 4, y + side + 19),
            f"{d.look} {d.width} {d.size} {d.pixels}px",
            fill="dimgray",
            font=font,
        )
    grid.save(path)
    return len(wrong)
