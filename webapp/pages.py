"""The drawing page and the page that explains it."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html")


@bp.get("/how")
def how() -> str:
    return render_template("how.html")
