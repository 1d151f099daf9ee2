"""The production entry point (the Procfile's gunicorn webapp.wsgi:app): debug is always off.

DEBUG would propagate exceptions to the server and reload templates on every request; the
overrides win over DIGITS_DEBUG, FLASK_DEBUG and anything else in the environment.
"""

from webapp import create_app

app = create_app({"DEBUG": False, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})
