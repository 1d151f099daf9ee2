"""Response headers that keep the page safe; trusting a reverse proxy's X-Forwarded-* headers."""

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

# The page loads its own scripts and styles only; the canvas and its preview use data:/blob: images.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the security headers to every response; apply ProxyFix when PROXY_FIX > 0."""
    proxies = app.config["PROXY_FIX"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise ValueError(
            f"PROXY_FIX must be the number of trusted proxies (0 = none), not {proxies!r}."
        )
    if proxies:
        # Each trusted proxy appends one value to each X-Forwarded-* header; trust that many.
        proxied = ProxyFix(
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )
        app.wsgi_app = proxied  # type: ignore[method-assign]  # Flask's documented way

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
