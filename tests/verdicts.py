"""What every answer must say about its verdict (reading/verdict.py, docs/api.md "The verdict"):
digit, reason, runner_up, number and digits agree with it, in the contract's order."""

PREDICT_FIELDS = [
    "verdict",
    "digit",
    "reason",
    "runner_up",
    "confidence",
    "probabilities",
    "input",
    "explanation",
    "number",
    "digits",
]


def assert_agrees_with_its_verdict(body):
    """An answer of /api/predict (with or without `Prefer: read`) or /api/read."""
    verdict, reason = body["verdict"], body.get("reason")
    assert verdict in ("digit", "number", "not_a_digit", "unsure"), verdict
    if "confidence" in body:  # /api/predict: its fields in the contract's order
        assert list(body) == [k for k in PREDICT_FIELDS if k in body], list(body)
        shown = {"digit": body["digit"], "unsure": body["digit"]}.get(verdict)
        assert body["digit"] == shown
        assert (reason, body.get("runner_up") is not None) == {
            "digit": (None, False),
            "unsure": (None, True),
            "number": ("number", False),
            "not_a_digit": (reason, False),
        }[verdict]
        if verdict in ("digit", "unsure"):
            assert body["digit"] in range(10)
        if verdict == "unsure":
            assert body["runner_up"] in range(10) and body["runner_up"] != body["digit"]
    if verdict == "not_a_digit":
        assert reason in ("not_a_digit", "not_a_number")
        assert body.get("number", "") == "" and body.get("digits", []) == []
    if "digits" in body:
        digits = body["digits"]
        assert body["number"] == "".join(str(d["digit"]) for d in digits)
        expected = {"digit": 1, "unsure": 1, "not_a_digit": 0}.get(verdict)
        assert len(digits) == expected if expected is not None else len(digits) >= 2
        assert all(("runner_up" in d) == (verdict == "unsure") for d in digits)
    if verdict == "number":
        assert len(body["number"]) >= 2 and body["number"].isdigit()
