"""The "How it works" page: served under the page's policy, every picture and link real."""

import re
from pathlib import Path

from webapp.security import CONTENT_SECURITY_POLICY

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_pages_how_answers_under_the_content_security_policy(client):
    response = client.get("/how")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_pages_how_pictures_exist_and_say_what_they_show(client):
    page = client.get("/how").get_data(as_text=True)
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) >= 4
    for tag in images:
        src = re.search(r'src="/static/([^"]+)"', tag).group(1)
        assert (STATIC / src).is_file(), f"static/{src} is missing: run `make screenshots`"
        assert re.search(r'alt="[^"]{10,}"', tag), f"{tag} has no alt text worth reading"


def test_pages_how_links_back_to_drawing_and_to_the_api(client):
    page = client.get("/how").get_data(as_text=True)
    links = set(re.findall(r'<a\b[^>]*href="([^"]+)"', page))
    assert {"/", "/api/openapi.json"} <= links
    for link in links:
        assert client.get(link).status_code == 200, link
