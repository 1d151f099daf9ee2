"""Accuracy tables, the JSON report and the grid of misread drawings."""

import io
from collections import Counter

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from benchmarks.drawn.layout import LOOKS, SIZES, WIDTHS

TARGETS = {"mnist": 0.99}  # issue 4; every other source: DEFAULT_TARGET
DEFAULT_TARGET = 0.97
BUCKET_SLACK = 0.01  # no look, width or size bucket more than 1 point below its source
PAGE_AGREEMENT = 0.99
BREAKDOWNS = {"look": LOOKS, "width": tuple(WIDTHS), "size": tuple(SIZES),
              "canvas": (280, 1080), "digit": tuple(range(10))}
CHECKED = ("look", "width", "size")  # the breakdowns issue 4 sets the 1-point rule for


NON_DIGITS_REJECTED = 0.90  # issue 7: at least this share of the held-out non-digits rejected
DIGITS_REJECTED = 0.01  # while at most this share of the benchmark's digits is


def answer_of(drawing):
    """The digit the API answered, or None (an error such as empty_drawing).

    A drawing the server said is not a digit counts with its top digit, so the accuracy
    tables count as they did before rejection; `rejected` tells those apart.
    """
    answer = drawing.answer
    if answer.get("digit") is None and "probabilities" in answer:
        return int(np.argmax(answer["probabilities"]))
    return answer.get("digit")


def rejected(drawing):
    """Whether the server answered "not_a_digit" for the drawing."""
    return drawing.answer.get("reason") == "not_a_digit"


def _rejected_share(drawings):
    n = len(drawings)
    count = sum(map(rejected, drawings))
    return {"n": n, "rejected": count, "share": count / n if n else None}


def summarize_non_digits(non_digits, drawings):
    """Share of held-out non-digits rejected by kind and style, and of the benchmark's digits
    rejected by source."""
    kinds = sorted({d.source for d in non_digits}, key=[d.source for d in non_digits].index)
    by_kind = {k: _rejected_share([d for d in non_digits if d.source == k]) for k in kinds}
    by_kind["all"] = _rejected_share(non_digits)

    def style(d):  # a font letter by its letter; a scribble or shape by its kind
        return d.style.rsplit("/", 1)[-1]

    by_style = {k: {s: _rejected_share([d for d in non_digits if d.source == k and style(d) == s])
                    for s in sorted({style(d) for d in non_digits if d.source == k})}
                for k in kinds}
    sources = sorted({d.source for d in drawings}, key=[d.source for d in drawings].index)
    digits = {s: _rejected_share([d for d in drawings if d.source == s]) for s in sources}
    digits["all"] = _rejected_share(drawings)
    by_width = {w: _rejected_share([d for d in drawings if d.width == w]) for w in WIDTHS}
    # The bare alternative: a threshold on the digit model's confidence rejecting as many digits.
    confidence = np.array([d.answer["confidence"] for d in drawings if "confidence" in d.answer])
    cut = float(np.quantile(confidence, max(digits["all"]["share"], 1 / len(confidence))))
    low = [d for d in non_digits if d.answer.get("confidence", 1.0) <= cut]
    return {
        "non_digits": by_kind, "non_digits_by_style": by_style, "digits": digits,
        "digits_by_width": by_width,
        "confidence_threshold_instead": {
            "threshold": round(cut, 6), "digits_rejected": float((confidence <= cut).mean()),
            "non_digits_rejected": len(low) / len(non_digits)},
        "targets": {"non_digits_rejected": NON_DIGITS_REJECTED,
                    "digits_rejected": DIGITS_REJECTED},
        "meets_targets": (by_kind["all"]["share"] >= NON_DIGITS_REJECTED
                          and digits["all"]["share"] <= DIGITS_REJECTED),
        "accepted": [{**d.params(), "answer": answer_of(d),
                      "confidence": d.answer.get("confidence")}
                     for d in non_digits if not rejected(d)],
    }


def print_non_digits(summary, out=print):
    """The not-a-digit tables: held-out non-digits rejected by kind, digits rejected by source."""
    targets = summary["targets"]
    out(f"\nheld-out non-digits rejected (target >= {targets['non_digits_rejected']:.0%})")
    for kind, st in summary["non_digits"].items():
        out(f"  {kind:<14}{st['n']:>6}{100 * st['share']:>8.1f}%")
    for kind, styles in summary["non_digits_by_style"].items():
        out(f"  {kind}: " + ", ".join(f"{s} {100 * st['share']:.0f}%" for s, st in styles.items()))
    out(f"benchmark digits rejected (target <= {targets['digits_rejected']:.0%})")
    for source, st in summary["digits"].items():
        out(f"  {source:<14}{st['n']:>6}{100 * st['share']:>8.2f}%")
    out("  by pen width: " + ", ".join(f"{w} {100 * st['share']:.2f}%"
                                       for w, st in summary["digits_by_width"].items()))
    bare = summary["confidence_threshold_instead"]
    out(f"instead, a threshold on the top probability (<= {bare['threshold']:.4f}) rejecting "
        f"{100 * bare['digits_rejected']:.2f}% of the digits would reject "
        f"{100 * bare['non_digits_rejected']:.1f}% of the non-digits")
    out("targets " + ("met" if summary["meets_targets"] else "NOT met"))


def _stats(drawings):
    n = len(drawings)
    right = sum(answer_of(d) == d.label for d in drawings)
    return {"n": n, "correct": right, "accuracy": right / n if n else None}


def _key(drawing, name):
    if name == "canvas":
        return drawing.pixels
    return drawing.label if name == "digit" else getattr(drawing, name)


def style_of(drawing):
    """A template style names one digit's variant ('1-flag'); a font face covers all digits."""
    return f"{drawing.label}-{drawing.style}" if drawing.source == "templates" else drawing.style


def summarize(drawings, page=None):
    """Everything the report says, as plain data."""
    sources = sorted({d.source for d in drawings}, key=[d.source for d in drawings].index)
    groups = {s: [d for d in drawings if d.source == s] for s in sources}
    groups["all"] = drawings
    by_source = {s: _stats(ds) for s, ds in groups.items()}
    for s in sources:
        by_source[s]["target"] = TARGETS.get(s, DEFAULT_TARGET)
        by_source[s]["meets_target"] = by_source[s]["accuracy"] >= by_source[s]["target"]
    breakdowns, weak = {}, []
    for name, buckets in BREAKDOWNS.items():
        breakdowns[name] = {}
        for bucket in buckets:
            breakdowns[name][str(bucket)] = row = {}
            for s, ds in groups.items():
                row[s] = _stats([d for d in ds if _key(d, name) == bucket])
                mean = by_source[s]["accuracy"]
                low = row[s]["n"] and row[s]["accuracy"] < mean - BUCKET_SLACK
                if s != "all" and name in CHECKED and low:
                    weak.append(f"{s} {name}={bucket}: {row[s]['accuracy']:.1%} vs {mean:.1%}")
    by_style = {s: {style: _stats([d for d in groups[s] if style_of(d) == style])
                    for style in sorted({style_of(d) for d in groups[s]})}
                for s in sources if s != "mnist"}  # an MNIST style is one test image
    wrong = [d for d in drawings if answer_of(d) != d.label]
    confusions = Counter((d.label, answer_of(d)) for d in wrong).most_common(15)
    report = {
        "by_source": by_source, "breakdowns": breakdowns, "weak_buckets": weak,
        "by_style": by_style,
        "confusions": [{"true": t, "answer": a, "count": c} for (t, a), c in confusions],
        "misread": [{**d.params(), "answer": answer_of(d),
                     "confidence": d.answer.get("confidence"),
                     "error": d.answer.get("error")} for d in wrong],
    }
    if page:
        report["page"] = page_summary(drawings, page)
    return report


def page_summary(drawings, page):
    """How the page's answers compare with the truth and with the API on the page's pen."""
    by_id = {d.id: d for d in drawings}
    rows = [{**by_id[p["id"]].params(), "page_digit": p["digit"], "api_digit": p["api_digit"],
             "page_css_px": p["css"], "page_canvas": p["pixels"], "error": p.get("error")}
            for p in page]
    n = len(rows)
    agree = sum(r["page_digit"] == r["api_digit"] for r in rows)

    def accuracy(key):
        buckets = sorted({r[key] for r in rows}, key=str)
        return {str(b): round(sum(r["page_digit"] == r["label"] for r in rows if r[key] == b)
                              / sum(r[key] == b for r in rows), 4) for b in buckets}

    return {"n": n, "accuracy": sum(r["page_digit"] == r["label"] for r in rows) / n,
            "agreement_with_api": agree / n, "target_agreement": PAGE_AGREEMENT,
            "meets_target": agree / n >= PAGE_AGREEMENT,
            "accuracy_by_source": accuracy("source"), "accuracy_by_size": accuracy("size"),
            "accuracy_by_page_canvas": accuracy("page_canvas"), "drawings": rows}


def _pct(stats):
    return "   -  " if not stats["n"] else f"{100 * stats['accuracy']:5.1f}%"


def print_tables(report, out=print):
    """The tables on stdout: by source, by look, width, size and canvas, confusions."""
    sources = [s for s in report["by_source"] if s != "all"]
    out(f"\n{'source':<12}{'n':>6}{'accuracy':>10}{'target':>9}")
    for s, st in report["by_source"].items():
        target = f"{st['target']:.0%}" if "target" in st else ""
        mark = "" if s == "all" else ("  ok" if st["meets_target"] else "  BELOW")
        out(f"{s:<12}{st['n']:>6}{_pct(st):>10}{target:>9}{mark}")
    for name, rows in report["breakdowns"].items():
        out(f"\nby {name:<9}" + "".join(f"{s:>11}" for s in [*sources, "all"]))
        for bucket, row in rows.items():
            cells = []
            for s in [*sources, "all"]:
                mean = report["by_source"][s]["accuracy"]
                low = (s != "all" and name in CHECKED and row[s]["n"]
                       and row[s]["accuracy"] < mean - BUCKET_SLACK)
                cells.append(f"{_pct(row[s])}{'!' if low else ' '}".rjust(11))
            out(f"  {bucket:<10}" + "".join(cells))
    out("  (! = a look, width or size more than 1 point below its source's accuracy)")
    worst = sorted((st["accuracy"], s, style, st["n"]) for s, styles in report["by_style"].items()
                   for style, st in styles.items() if st["n"] >= 5)[:10]
    out("\nweakest styles/faces (n >= 5): " + ", ".join(
        f"{s}/{style} {acc:.0%} (n={n})" for acc, s, style, n in worst))
    out("\ntop confusions (true -> answer: count): " + ", ".join(
        f"{c['true']}->{c['answer']}: {c['count']}" for c in report["confusions"]))
    if "page" in report:
        p = report["page"]
        out(f"\npage sample (the page's own pen: dark, brush = canvas / 14): n={p['n']}, "
            f"accuracy {p['accuracy']:.1%}, agrees with the API on the same pen "
            f"{p['agreement_with_api']:.1%} (target {p['target_agreement']:.0%})")
        for name in ("source", "size", "page_canvas"):
            out(f"  by {name}: " + ", ".join(
                f"{k} {v:.0%}" for k, v in p[f"accuracy_by_{name}"].items()))


def _thumbnail(png, side):
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    # A checkerboard under a transparent canvas shows which look it was.
    checker = (np.indices((image.height, image.width)) // max(1, image.width // 16)).sum(0) % 2
    board = Image.fromarray((200 + 40 * checker).astype(np.uint8)).convert("RGBA")
    return Image.alpha_composite(board, image).convert("RGB").resize((side, side),
                                                                       Image.Resampling.LANCZOS)


def misread_grid(drawings, pngs, path, limit=240, columns=8, show=None):
    """A PNG grid of misread renderings with the model's 28x28 input, labelled true->answer.

    show: which drawings to put in the grid (default: those whose answer is not the label).
    """
    show = show or (lambda d: answer_of(d) != d.label)
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
        answer = answer_of(d) if "error" not in d.answer else d.answer["error"]
        confidence = d.answer.get("confidence")
        text = f"{d.label}->{answer}" + (f" {confidence:.0%}" if confidence else "")
        pen.text((x + side + 8, y + 64), text, fill="crimson", font=font)
        pen.text((x + 4, y + side + 6), f"{d.source}/{d.style}"[:26], fill="black", font=font)
        pen.text((x + 4, y + side + 19), f"{d.look} {d.width} {d.size} {d.pixels}px",
                 fill="dimgray", font=font)
    grid.save(path)
    return len(wrong)
