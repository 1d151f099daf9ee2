"""Drawn-digit benchmark: stroke sequences from several sources, drawn in Chromium.

Sources, each a list of polylines per digit:
- `mnist`: MNIST *test* digits thinned to a skeleton and traced into pen strokes
  (reading.trace);
- `templates`: hand-designed stroke templates in several styles per digit, randomly slanted,
  warped and proportioned (drawings.templates);
- `fonts`: handwriting fonts from Debian packages, rendered, thinned and traced (strokes_fonts);
- `hershey`: Hershey's vector fonts from Debian's hershey-fonts-data, already strokes.

Benchmark and training are kept apart by their random streams (see drawings/streams.py):
every random choice here comes from `rng_for("benchmark", ...)`; MNIST's test set is traced only
here; font glyphs are for evaluation only.
"""

from drawings.streams import rng_for  # noqa: F401  (the benchmark's generators)

SOURCES = ("mnist", "templates", "fonts", "hershey")
