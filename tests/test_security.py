"""Security headers, the page's compliance with them, ProxyFix, no debug mode and no version
banners in production."""

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_api import SEVEN

from benchmarks._common import procfile_command, procfile_server
from webapp import create_app

DEPLOY_DOC = Path(__file__).parent.parent / "docs" / "deploy.md"

# docs/deploy.md's "Headers": every response carries these, with these exact values.
PROMISED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# ... and this Content-Security-Policy, directive by directive (and nothing more).
PROMISED_POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_directives(policy):
    """A Content-Security-Policy header as {directive: [sources]}, split as browsers split it."""
    directives = {}
    for part in filter(str.strip, policy.split(";")):
        name, *sources = part.split()
        # Browsers obey a directive's first occurrence only; a second would be a silent no-op.
        assert name.lower() not in directives, f"{name} given twice"
        directives[name.lower()] = sources
    return directives


def assert_safe_headers(response_headers):
    directives = policy_directives(response_headers["Content-Security-Policy"])
    for name, sources in PROMISED_POLICY.items():
        assert directives.get(name) == sources, name
    assert set(directives) == set(PROMISED_POLICY)
    for name, value in PROMISED_HEADERS.items():
        assert response_headers.get(name) == value, name


def test_security_deploy_doc_promises_the_headers_tested():
    """The promises checked here are docs/deploy.md's, word for word: neither can change alone."""
    section = DEPLOY_DOC.read_text().split("## Headers", 1)[1].split("\n## ", 1)[0]
    promised = dict(re.findall(r"`([A-Z][A-Za-z-]+): ([^`]+)`", re.sub(r"\s+", " ", section)))
    assert promised.pop("Server") == "gunicorn"  # gunicorn's, checked on the real server below
    policy = promised.pop("Content-Security-Policy")
    assert policy_directives(policy) == PROMISED_POLICY
    assert promised == PROMISED_HEADERS


@pytest.mark.parametrize(
    "method,path,kwargs,status",
    [
        ("GET", "/", {}, 200),
        ("GET", "/how", {}, 200),
        ("GET", "/static/main.js", {}, 200),
        ("GET", "/api/health", {}, 200),
        ("POST", "/api/predict", dict(data=SEVEN, content_type="image/png"), 200),
        ("POST", "/api/predict", dict(data=b"nope", content_type="image/png"), 400),
        ("GET", "/api/nothing-here", {}, 404),
        ("GET", "/no-such-page", {}, 404),
        ("GET", "/api/predict", {}, 405),
        ("POST", "/api/predict", dict(data=bytes(3 * 2**20), content_type="image/png"), 413),
    ],
)
def test_security_headers_on_every_response(client, method, path, kwargs, status):
    with client.open(path, method=method, **kwargs) as response:
        assert response.status_code == status
        assert_safe_headers(response.headers)
        assert "Server" not in response.headers


def test_security_headers_on_an_internal_error():
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/api/broken")
    def broken():
        raise RuntimeError("a bug")

    response = app.test_client().get("/api/broken")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert_safe_headers(response.headers)


@pytest.mark.parametrize("path,has_scripts", [("/", True), ("/how", False)])
def test_security_page_needs_nothing_the_policy_forbids(client, path, has_scripts):
    page = client.get(path).get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert bool(scripts) == has_scripts
    assert all("src=" in tag for tag in scripts), "inline <script>"
    assert not re.search(r"<style\b", page), "inline <style>"
    assert not re.search(r"\sstyle\s*=", page), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "asset from another origin"


def whoami_app(proxies):
    app = create_app({"TESTING": True, "PROXY_FIX": proxies})

    @app.get("/whoami")
    def whoami():
        from flask import jsonify, request

        return jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host)

    return app


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "digits.example",
}


def test_security_proxy_fix_off_by_default_ignores_forwarded_headers():
    body = whoami_app(0).test_client().get("/whoami", headers=FORWARDED).get_json()
    assert body == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_security_proxy_fix_trusts_one_proxy():
    headers = {**FORWARDED, "X-Forwarded-For": "198.51.100.1, 203.0.113.7"}  # spoofed first
    body = whoami_app(1).test_client().get("/whoami", headers=headers).get_json()
    assert body == {"addr": "203.0.113.7", "scheme": "https", "host": "digits.example"}


@pytest.mark.parametrize("value", [-1, "1", True, 1.5])
def test_security_proxy_fix_must_be_a_count(value):
    with pytest.raises(ValueError, match="PROXY_FIX"):
        create_app({"TESTING": True, "PROXY_FIX": value})


def test_security_proxy_fix_from_the_environment(monkeypatch):
    monkeypatch.setenv("DIGITS_PROXY_FIX", "2")
    assert create_app({"TESTING": True}).config["PROXY_FIX"] == 2


def test_security_procfile_serves_the_production_entry_point():
    command = procfile_command()
    assert command.startswith("gunicorn ") and "0.0.0.0:$PORT" in command
    assert command.split()[-1] == "webapp.wsgi:app"


def test_security_debug_is_impossible_in_the_production_entry_point():
    code = (
        "from webapp.wsgi import app; import json; "
        "print(json.dumps([app.debug, app.testing, app.config['PROPAGATE_EXCEPTIONS']]))"
    )
    env = {
        **os.environ,
        "FLASK_DEBUG": "1",
        "DIGITS_DEBUG": "true",
        "DIGITS_TESTING": "true",
        "DIGITS_PROPAGATE_EXCEPTIONS": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [False, False, False]


@pytest.fixture(scope="module")
def gunicorn():
    """The Procfile's server, with debug asked for in the environment (it must stay off)."""
    with procfile_server(2, {"FLASK_DEBUG": "1", "DIGITS_DEBUG": "true"}) as (_, url):
        yield int(url.rsplit(":", 1)[1])


def request(port, method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_security_gunicorn_sends_no_version_banner(gunicorn):
    status, headers, _ = request(gunicorn, "GET", "/")
    assert status == 200
    assert_safe_headers(headers)
    # gunicorn always names itself, but without its version; Flask adds nothing.
    assert headers.get("Server", "") in ("", "gunicorn")
    assert not any(
        re.search(r"\d+\.\d+", v)
        for k, v in headers.items()
        if k.lower() in ("server", "x-powered-by")
    )


@pytest.mark.parametrize(
    "name,path,headers,status",
    [
        ("long request line", "/api/health?" + "q" * 9000, {}, 414),
        ("long header", "/api/health", {"X-Padding": "p" * 9000}, 431),
        ("too many headers", "/api/health", {f"X-H{i}": "1" for i in range(120)}, 431),
    ],
)
def test_security_gunicorn_refuses_oversized_requests(gunicorn, name, path, headers, status):
    assert request(gunicorn, "GET", path, headers=headers)[0] == status


def test_security_gunicorn_answers_a_large_body_with_413_not_a_reset(gunicorn):
    # The server closes after answering; the refused body is read first so the client sees it.
    for _ in range(5):
        status, headers, body = request(
            gunicorn, "POST", "/api/predict", bytes(6 * 2**20), {"Content-Type": "image/png"}
        )
        assert status == 413 and json.loads(body)["error"]["code"] == "too_large"


def test_security_gunicorn_stays_out_of_debug_mode(gunicorn):
    # Debug mode would pretty-print JSON (Flask indents it then); production answers compactly.
    status, _, body = request(gunicorn, "GET", "/api/health")
    assert status == 200 and b"\n" not in body.strip() and b'":"' in body
