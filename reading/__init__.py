"""Reading a drawing, without TensorFlow: the server and training share it.

preprocess (a drawing to MNIST's 28x28), segment (ink labelled into connected pieces), pieces
and cuts (ink over-split along its strokes, or cut from top to bottom), search (a line of ink
into digits, the models choosing) with partition (the best runs of pieces) and line (what the
number model says), ctc (decoding the number model's output), trace and geometry (strokes from
ink, and polylines), verdict (the one answer a drawing gets), models (the served models). The
models themselves come in as callables: nothing here imports `model`, `webapp` or a
deep-learning library.
"""
