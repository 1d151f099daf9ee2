"""Several gunicorn workers storing corrections into one SQLite file at once lose nothing."""

import json
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from drawing import draw_digit, png_bytes
from strokes import DIGIT_STROKES

from benchmarks._common import procfile_server
from corrections import store

WORKERS, POSTS, CLIENTS = 3, 150, 24


def post_correction(url, image, label):
    request = urllib.request.Request(
        f"{url}/api/feedback?label={label}",
        data=image,
        headers={"Content-Type": "image/png"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.load(response)["id"], response.headers["Content-Type"]


def test_feedback_concurrent_workers_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    drawings = {d: png_bytes(draw_digit(DIGIT_STROKES[d])) for d in range(10)}
    labels = [i % 10 for i in range(POSTS)]
    env = {"DATABASE_URL": url, "DIGITS_FEEDBACK_RATE": '"100000/minute"'}
    with procfile_server(workers=WORKERS, env=env) as (_, base):
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(
                pool.map(lambda label: post_correction(base, drawings[label], label), labels)
            )
    assert {status for status, _, _ in answers} == {201}
    ids = [answer_id for _, answer_id, _ in answers]
    assert len(set(ids)) == POSTS
    engine = store.open_engine(url)
    rows = store.read_corrections(engine)
    engine.dispose()
    assert sorted(row["id"] for row in rows) == sorted(ids)
    assert Counter(row["label"] for row in rows) == Counter(labels)
    assert all(row["image"] == drawings[row["label"]] for row in rows)
