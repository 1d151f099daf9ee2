"""Reading a drawing, without TensorFlow: the server and training share it.

preprocess (a drawing to MNIST's 28x28), segment (ink into pieces), search (a line of ink into
digits, the models choosing), ctc (decoding the number model's output), trace and geometry
(strokes from ink, and polylines), verdict (the one answer a drawing gets). The models themselves
come in as callables: nothing here imports `model`, `webapp` or a deep-learning library.
"""
