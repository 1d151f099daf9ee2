"""Synthetic drawings as pen strokes, shared by training (model/) and the drawn-digit benchmark
(benchmarks/drawn/). No TensorFlow: the strokes and pens are numpy and Pillow.

- streams.py: `rng_for`, the random streams that keep training's drawings apart from the
  benchmark's;
- templates.py: digits in several writing styles; letters.py: letters that are no digit;
  shapes.py: shapes and scribbles;
- numbers.py: digits' strokes laid side by side on one line, as a number is written;
- pens.py: strokes drawn onto an image with a round pen of a width.

The benchmark's held-out kinds (font glyphs, faces, doodles, words) are not here: they stay in
benchmarks/drawn/, so that training cannot reach them.
"""
