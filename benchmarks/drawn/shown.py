"""What a person is shown for a server's answer, asked one of three ways.

Every accuracy the benchmark reports counts a drawing as right only when this is right: a
digit answered "not a digit" is wrong, a number with a "?" in it is wrong, any digit shown for
a non-digit is wrong.

The ways of asking:
- "page": POST /api/predict with `Prefer: read, explain`, the PNG and its strokes as a form,
  exactly as static/api.js sends them, read the way static/ui.js shows the answer.
- "predict": the image alone on POST /api/predict; its `digit`.
- "read": the image alone on POST /api/read; its `number`.
"""

WAYS = ("page", "predict", "read")
WAY_NAMES = {"page": "the page's way (/api/predict, Prefer: read, with strokes)",
             "predict": "image alone on /api/predict", "read": "image alone on /api/read"}
NOT_A_DIGIT = None  # what is shown when no digit is: "That doesn't look like a digit"


def shown(answer, way):
    """The text a person sees as the answer: a digit or a number ("7", "207", "1?"), None for
    "not a digit", or "error:<code>" when the server refused the drawing."""
    if "error" in answer:
        return f"error:{answer['error']}"
    if way == "predict":
        return _digit_text(answer)
    if way == "read":
        return answer.get("number", "")
    # static/api.js: a reading of one digit or more, else the one digit as a reading of one.
    digits = answer.get("digits")
    if not digits or not all(_understood(d) for d in digits):
        digits = [answer]
    if len(digits) == 1:  # static/ui.js: one digit is shown as a digit, or as no digit at all
        return _digit_text(digits[0])
    return "".join("?" if d.get("digit") is None else str(d["digit"]) for d in digits)


def shows_no_digit(text):
    """Whether no digit is shown: "not a digit", or pieces none of which is a digit."""
    return text is NOT_A_DIGIT or (not text.startswith("error:") and set(text) <= {"?"})


SURE_ENOUGH = 0.6  # static/ui.js SURE_ENOUGH


def unsure(answer, way, sure_enough=SURE_ENOUGH):
    """Whether the page adds "Not sure — maybe ..." (static/ui.js SURE_ENOUGH): one digit
    shown with a top probability below sure_enough."""
    digits = [answer] if way == "predict" else (answer.get("digits") or [answer])
    one = digits[0] if len(digits) == 1 else None
    return bool(one and one.get("digit") is not None and one.get("confidence", 1) < sure_enough)


def top_digit(answer):
    """The old, secondary figure: the top probability's digit of /api/predict's answer, shown
    or not (a digit refused as "not a digit" still counts with it)."""
    probabilities = answer.get("probabilities")
    if not probabilities:
        return None
    return max(range(10), key=probabilities.__getitem__)


def _digit_text(answer):
    digit = answer.get("digit")
    return NOT_A_DIGIT if digit is None else str(digit)


def _understood(digit):
    probabilities = digit.get("probabilities")
    return isinstance(probabilities, list) and len(probabilities) == 10 and digit.get("box")
