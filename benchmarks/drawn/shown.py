"""What a person is shown for a server's answer, asked one of three ways.

Every accuracy the benchmark reports counts a drawing as right only when this is right: a
digit answered "not a digit" is wrong, "not sure" is wrong, any digit or number shown for a
non-digit is wrong.

The ways of asking:
- "page": POST /api/predict with `Prefer: read, explain`, the PNG and its strokes as a form,
  exactly as static/api.js sends them.
- "predict": the image alone on POST /api/predict.
- "read": the image alone on POST /api/read.
"""

WAYS = ("page", "predict", "read")
WAY_NAMES = {
    "page": "the page's way (/api/predict, Prefer: read, with strokes)",
    "predict": "image alone on /api/predict",
    "read": "image alone on /api/read",
}
NOT_A_DIGIT = None  # what is shown when no digit is: "That doesn't look like a digit"


def shown(answer):
    """The text a person sees as the answer: a digit or a number ("7", "207"), "4 or 9?" when
    unsure, None for "not a digit", or "error:<code>" when the server refused the drawing.

    Every way of asking carries the server's one verdict (reading/verdict.py), and the page
    shows it as it is (static/ui.js): the ways differ in what they send, not in how an
    answer is read.
    """
    if "error" in answer:
        return f"error:{answer['error']}"
    verdict = answer["verdict"]
    if verdict == "not_a_digit":
        return NOT_A_DIGIT
    if verdict == "number":
        return answer["number"]
    one = answer["digits"][0] if answer.get("digits") else answer
    if verdict == "unsure":
        return unsure_text(one["digit"], one["runner_up"])
    return str(one["digit"])


def unsure_text(digit, runner_up):
    """How shown() writes "Not sure — a 4 or a 9?"."""
    return f"{digit} or {runner_up}?"


def shows_no_digit(text):
    """Whether no digit is shown: the page says "That doesn't look like a digit"."""
    return text is NOT_A_DIGIT


def unsure(answer):
    """Whether the page says "Not sure — a 4 or a 9?" for this answer."""
    return answer.get("verdict") == "unsure"


def top_digit(answer):
    """The old, secondary figure: the top probability's digit of /api/predict's answer, shown
    or not (a digit refused as "not a digit" still counts with it)."""
    probabilities = answer.get("probabilities")
    if not probabilities:
        return None
    return max(range(10), key=probabilities.__getitem__)
