"""The sliding-window rate limit, on a clock the test moves."""

import pytest

from webapp.ratelimit import SlidingWindowLimit, parse_rate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/minute", (30, 60)),
        ("5 / 10 seconds", (5, 10)),
        ("1000/day", (1000, 86400)),
        ("2/hour", (2, 3600)),
    ],
)
def test_ratelimit_parses_rates(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "0/minute", "5/fortnight", "-1/second", 30])
def test_ratelimit_refuses_bad_rates(text):
    with pytest.raises(ValueError):
        parse_rate(text)


def test_ratelimit_window_slides():
    now = [0.0]
    limit = SlidingWindowLimit(3, 10, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # clients are counted apart
    now[0] = 9.9
    assert not limit.allow("a")  # refused requests do not count, but the window is not over
    now[0] = 10.0
    assert limit.allow("a")  # the first three have left the window
    assert [limit.allow("a") for _ in range(3)] == [True, True, False]


def test_ratelimit_forgets_idle_clients():
    now = [0.0]
    limit = SlidingWindowLimit(1, 1, clock=lambda: now[0])
    for client in range(10_001):
        limit.allow(client)
    now[0] = 5.0
    limit.allow("new")
    assert len(limit._seen) == 1
