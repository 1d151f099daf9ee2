"""The corrections quota holds across gunicorn workers and machines when they share a Redis:
two instances of the Procfile's server, two workers each, one client, exactly the quota passes.
Without Redis each worker counts alone, so the same requests all pass."""

import contextlib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from drawing import draw_digit, png_bytes
from strokes import DIGIT_STROKES

from benchmarks._common import procfile_server

QUOTA, EXTRA, WORKERS = 10, 5, 2
SEVEN = png_bytes(draw_digit(DIGIT_STROKES[7]))


def post_correction(url):
    """(status, headers) of one correction."""
    request = urllib.request.Request(
        f"{url}/api/feedback?label=7",
        data=SEVEN,
        headers={"Content-Type": "image/png"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@contextlib.contextmanager
def two_instances(tmp_path, redis_url=None):
    """Two Procfile servers (as on two machines), each with its own database file."""
    rate = {"DIGITS_FEEDBACK_RATE": f'"{QUOTA}/hour"'}
    shared = {"REDIS_URL": redis_url} if redis_url else {}
    with (
        procfile_server(
            WORKERS, {**rate, **shared, "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"}
        ) as (_, first),
        procfile_server(
            WORKERS, {**rate, **shared, "DATABASE_URL": f"sqlite:///{tmp_path}/b.db"}
        ) as (_, second),
    ):
        yield first, second


def test_ratelimit_shared_redis_holds_the_quota_across_instances_and_workers(tmp_path, redis_url):
    """Sent 4 at a time, so both workers of each instance serve some at once."""
    with two_instances(tmp_path, redis_url) as urls, ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda i: post_correction(urls[i % 2]), range(QUOTA + EXTRA)))
    accepted = [headers for status, headers in answers if status == 201]
    refused = [headers for status, headers in answers if status == 429]
    assert (len(accepted), len(refused)) == (QUOTA, EXTRA)
    # One window shared by all: what is left (read just after counting, so another request
    # may have been counted in between) runs down to 0.
    remaining = [int(headers["RateLimit-Remaining"]) for headers in accepted]
    assert min(remaining) == 0 and max(remaining) <= QUOTA - 1
    for headers in accepted + refused:
        assert headers["RateLimit-Limit"] == str(QUOTA)
        assert 1 <= int(headers["RateLimit-Reset"]) <= 3600
    for headers in refused:
        assert headers["RateLimit-Remaining"] == "0"
        assert 1 <= int(headers["Retry-After"]) <= 3600
        assert headers["Retry-After"] == headers["RateLimit-Reset"]


def test_ratelimit_without_redis_counts_per_worker(tmp_path):
    """Each instance (and each of its workers) sees at most 8 of the 15: none is refused."""
    with two_instances(tmp_path) as urls:
        statuses = [post_correction(urls[i % 2])[0] for i in range(QUOTA + EXTRA)]
    assert statuses == [201] * (QUOTA + EXTRA)
