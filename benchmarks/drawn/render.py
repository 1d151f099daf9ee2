"""Draw strokes in a real <canvas> in headless Chromium, the way the page does (round caps).

One page renders batches of drawings per `evaluate` call (a round trip per drawing would
dominate the time); each comes back as PNG bytes, exactly what canvas.toDataURL exports.
"""

import base64
import shutil

import numpy as np

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
INK = {"dark": "#111827", "light": "#ffffff", "transparent": "#111827"}  # the page's ink
PAPER = {"dark": "#ffffff", "light": "#000000", "transparent": None}

# Like static/canvas.js: a backing store of css * dpr pixels, drawn in CSS px through a
# transform; a one-point stroke is a dot, since canvases skip zero-length lines.
DRAW_BATCH = """(items) => items.map(({css, dpr, paper, ink, brush, strokes}) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = Math.round(css * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (paper) { ctx.fillStyle = paper; ctx.fillRect(0, 0, css, css); }
  ctx.strokeStyle = ctx.fillStyle = ink;
  ctx.lineWidth = brush;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const points of strokes) {
    ctx.beginPath();
    if (points.length === 1) {
      ctx.arc(points[0][0], points[0][1], brush / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(points[0][0], points[0][1]);
    for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
  }
  return canvas.toDataURL('image/png');
})"""


def launch(playwright):
    """Debian's Chromium (`playwright install` cannot download browsers here)."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


class CanvasRenderer:
    """Renders drawings (layout.Drawing or anything with css, dpr, look, brush, strokes)."""

    def __init__(self, browser, batch=24):
        self.page = browser.new_page()
        self.page.set_content("<!doctype html><title>drawn digits</title>")
        self.batch = batch

    def render(self, drawings):
        """PNG bytes of each drawing, in order."""
        pngs = []
        for start in range(0, len(drawings), self.batch):
            items = [_item(d) for d in drawings[start : start + self.batch]]
            urls = self.page.evaluate(DRAW_BATCH, items)
            pngs += [base64.b64decode(url.split(",", 1)[1]) for url in urls]
        return pngs

    def close(self):
        self.page.close()


def pixel_strokes(drawing):
    """The drawing's strokes in its PNG's pixels, in the order drawn, as JSON lists: what the
    page sends beside its PNG (the canvas draws CSS px scaled by dpr)."""
    return [np.round(np.asarray(s, dtype=float) * drawing.dpr, 2).tolist() for s in drawing.strokes]


def _item(drawing):
    strokes = [np.round(np.asarray(s, dtype=float), 3).tolist() for s in drawing.strokes]
    return {
        "css": drawing.css,
        "dpr": drawing.dpr,
        "paper": PAPER[drawing.look],
        "ink": INK[drawing.look],
        "brush": drawing.brush,
        "strokes": strokes,
    }
