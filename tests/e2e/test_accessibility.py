"""axe-core finds nothing serious on the pages, in each state a person brings them to."""

import pytest
from answers import DRAWINGS, draw_and_read
from axe import report, serious_violations
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def expect_accessible(page):
    violations = serious_violations(page)
    assert not violations, report(violations)


def test_accessibility_of_the_empty_page(page):
    page.goto("/")
    expect_accessible(page)


@pytest.mark.parametrize("name", DRAWINGS)
def test_accessibility_after_drawing(page, name):
    draw_and_read(page, name)
    expect_accessible(page)


def test_accessibility_after_a_correction(page):
    draw_and_read(page, "digit")
    page.get_by_test_id("correct-8").click()
    expect(page.get_by_test_id("correction-status")).not_to_be_empty()
    expect_accessible(page)


def test_accessibility_in_the_dark(new_page):
    page = new_page(color_scheme="dark")
    draw_and_read(page, "digit")
    expect_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_of_how_it_works_on_a_phone(new_page, scheme):
    page = new_page(color_scheme=scheme, viewport={"width": 360, "height": 740})
    page.goto("/how")
    expect(page.get_by_role("heading", name="How it works")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "scrolls sideways"
    expect_accessible(page)
