"""One reading of a drawing, which decides what is shown: a digit, a number, not a digit, or
unsure. /api/predict (with or without `Prefer: read`) and /api/read are views of it.

The rules (docs/api.md, "The verdict"):
- The whole drawing is read as one digit by the digit model, the not-digit model and the
  one-digit model. When the not-digit model accepts it and the one-digit model does not rule
  out one digit, it is a digit; when the one-digit model sees one symbol and the not-digit
  model rejects it, it is not a digit. Either way no cutting is tried.
- Otherwise the ink is cut into pieces (reading/search.py). One piece is read as the
  whole is. Several pieces make a number only when every piece is accepted as a digit.
- When they are not all digits, the drawing is a digit if the not-digit model accepts it
  whole (a fat digit that came apart), and otherwise not a digit: "not_a_number" when some
  pieces were digits, "not_a_digit" when none was. It is never shown as a number with a "?".
- A digit whose two likeliest answers are closer than UNSURE_MARGIN is "unsure": it keeps
  its top digit and names the runner-up.
"""

from dataclasses import dataclass, field

import numpy as np

from reading.preprocess import INK_THRESHOLD, ink_map, preprocess_image
from reading.segment import TooManyDigits
from reading.search import read_digits

# The one-digit model's probability above which a whole drawing the not-digit model accepts is
# read as one digit without cutting it; chosen on validation drawings and MNIST's validation
# digits (docs/experiments/verdict.md): cutting a lone 4 or 9 makes numbers like 41 of it.
WHOLE_DIGIT = 0.2
# Above this the one-digit model sees the whole drawing as one symbol: when the not-digit model
# rejects it (a smiley: its outline alone is a 0), it is not cut into digits but refused whole.
ONE_SYMBOL = 0.5
# Top probability less runner-up below which a digit is "unsure"; chosen on validation
# drawings so that the top digit is right less than 80 % of the time inside it.
UNSURE_MARGIN = 0.5


@dataclass
class Piece:
    """One digit's worth of the drawing: its box (x, y, width, height) in the drawing's pixels,
    the 28x28 input the digit model saw, its 10 probabilities, whether it is accepted as a
    digit, and its occlusion map once a view has asked for it."""

    box: object  # a tuple, or a function that finds it
    x: np.ndarray
    probabilities: np.ndarray
    accepted: bool
    explanation: list = None

    def where(self):
        """The box, found now if it was left until asked for."""
        if callable(self.box):
            self.box = self.box()
        return self.box

    @property
    def digit(self):
        return int(np.argmax(self.probabilities))

    @property
    def margin(self):
        """The top probability less the runner-up's."""
        top, second = np.sort(self.probabilities)[-2:][::-1]
        return float(top - second)

    @property
    def runner_up(self):
        return int(np.argsort(self.probabilities)[-2])


@dataclass
class Reading:
    """The verdict, why (reason: "not_a_digit", "not_a_number" or None), the whole drawing
    read as one digit, and the digits read (one for a digit, several for a number, none for
    not a digit). too_many: the ink would not cut into at most MAX_DIGITS pieces."""

    verdict: str
    whole: Piece
    digits: list = field(default_factory=list)
    reason: str = None
    too_many: str = None

    @property
    def number(self):
        return "".join(str(piece.digit) for piece in self.digits)


def read_drawing(image, classifier, strokes=None):
    """A decoded drawing (and its strokes, in the order drawn, if sent) -> its Reading.

    Raises EmptyDrawing when it has no ink.
    """
    x = preprocess_image(image)
    # Its box waits until a view asks for it: finding the ink costs as much as the digit model.
    whole = Piece(lambda: _box(ink_map(image)), x, classifier.predict(x),
                  not classifier.is_not_a_digit(x))
    one_digit = _one_digit(classifier, x)
    if one_digit >= (WHOLE_DIGIT if whole.accepted else ONE_SYMBOL):
        return _one(whole)
    ink = ink_map(image)
    whole.box = _box(ink)
    try:
        found = read_digits(ink, classifier.predict_many,
                            one_digit=classifier.judge.probabilities if classifier.judge else None,
                            read_line=classifier.line_reader.columns if classifier.line_reader
                            else None, strokes=strokes)
    except TooManyDigits as error:
        return _one(whole) if whole.accepted else Reading("not_a_digit", whole,
                                                          reason="not_a_digit",
                                                          too_many=str(error))
    if len(found) == 1:  # read as the whole, less any specks the cutting left out
        (piece,) = found
        if np.array_equal(piece.x, whole.x):
            return _one(Piece(tuple(piece.box), whole.x, whole.probabilities, whole.accepted))
        return _one(Piece(tuple(piece.box), piece.x, piece.probabilities,
                          not classifier.is_not_a_digit(piece.x)))
    pieces = [Piece(tuple(c.box), c.x, c.probabilities, piece_accepted(c, classifier))
              for c in found]
    if all(piece.accepted for piece in pieces):
        return Reading("number", whole, pieces)
    if whole.accepted:
        return _one(whole)
    some_digits = any(piece.accepted for piece in pieces)
    return Reading("not_a_digit", whole, reason="not_a_number" if some_digits else "not_a_digit")


def _one(whole):
    """The verdict on the whole drawing read as one digit."""
    if not whole.accepted:
        return Reading("not_a_digit", whole, reason="not_a_digit")
    return Reading("unsure" if whole.margin < UNSURE_MARGIN else "digit", whole, [whole])


def piece_accepted(candidate, classifier):
    """A piece of a number is a digit unless the not-digit model rejects it; what the number
    model says of it in its line comes first, as it judges a digit with its neighbours where
    the not-digit model sees it cut out alone."""
    if candidate.line_says is not None:
        return candidate.line_says == "digit"
    return not classifier.is_not_a_digit(candidate.x)


def _one_digit(classifier, x):
    """The one-digit model's probability that x is one whole digit (0 without that model:
    then every drawing is cut and read)."""
    return classifier.judge.probability(x) if classifier.judge else 0.0


def _box(ink):
    """(x, y, width, height) of the ink in the drawing's pixels."""
    inked = ink > INK_THRESHOLD
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    return (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1))
