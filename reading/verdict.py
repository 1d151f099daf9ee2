"""One reading of a drawing, which decides what is shown: a digit, a number, not a digit, or
unsure. /api/predict (with or without `Prefer: read`) and /api/read are views of it.

The rules (docs/api.md, "The verdict"):
- The whole drawing is read as one digit by the digit model, the not-digit model and the
  one-digit model. When the not-digit model accepts it and the one-digit model does not rule
  out one digit, it is a digit; when the one-digit model sees one symbol and the not-digit
  model rejects it, it is not a digit. Either way no cutting is tried.
- Otherwise the ink is cut into pieces (reading/search.py). One piece is read as the
  whole is, and is a digit only when the whole drawing is accepted too. Several pieces make a
  number only when every piece is accepted as a digit.
- When they are not all digits, the drawing is a digit if the not-digit model accepts it
  whole (a fat digit that came apart), and otherwise not a digit: "not_a_number" when some
  pieces were digits, "not_a_digit" when none was. It is never shown as a number with a "?".
- A digit whose two likeliest answers are closer than UNSURE_MARGIN is "unsure": it keeps
  its top digit and names the runner-up.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from reading.models import Models
from reading.preprocess import INK_THRESHOLD, ink_map, preprocess_image
from reading.search import read_digits
from reading.segment import Candidate, TooManyDigits

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


Box = tuple[int, int, int, int]


@dataclass
class Piece:
    """One digit's worth of the drawing: its box (x, y, width, height) in the drawing's pixels,
    the 28x28 input the digit model saw, its 10 probabilities, whether it is accepted as a
    digit, and its occlusion map once a view has asked for it."""

    box: Box | Callable[[], Box]  # found when first asked for, if a function
    x: np.ndarray
    probabilities: np.ndarray
    accepted: bool
    explanation: list | None = None

    def where(self) -> Box:
        """The box, found now if it was left until asked for."""
        if callable(self.box):
            self.box = self.box()
        return self.box  # type: ignore[return-value]  # no longer a function

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def margin(self) -> float:
        """The top probability less the runner-up's."""
        top, second = np.sort(self.probabilities)[-2:][::-1]
        return float(top - second)

    @property
    def runner_up(self) -> int:
        return int(np.argsort(self.probabilities)[-2])


@dataclass
class Reading:
    """The verdict, why (reason: "not_a_digit", "not_a_number" or None), the whole drawing
    read as one digit, and the digits read (one for a digit, several for a number, none for
    not a digit). too_many: the ink would not cut into at most MAX_DIGITS pieces."""

    verdict: str
    whole: Piece
    digits: list = field(default_factory=list)
    reason: str | None = None
    too_many: str | None = None

    @property
    def number(self) -> str:
        return "".join(str(piece.digit) for piece in self.digits)


def read_drawing(
    image: Image.Image | np.ndarray, models: Models, strokes: list[np.ndarray] | None = None
) -> Reading:
    """A decoded drawing (and its strokes, in the order drawn, if sent) -> its Reading, by the
    served models (reading/models.py).

    Raises EmptyDrawing when it has no ink.
    """
    x = preprocess_image(image)
    # Its box waits until a view asks for it: finding the ink costs as much as the digit model.
    whole = Piece(
        lambda: _box(ink_map(image)), x, models.digits.predict(x), not is_not_a_digit(models, x)
    )
    one_digit = _one_digit(models, x)
    if one_digit >= (WHOLE_DIGIT if whole.accepted else ONE_SYMBOL):
        return _one(whole)
    ink = ink_map(image)
    whole.box = _box(ink)
    try:
        # The cutting weighs all the ink as one digit too: it gets the answers above.
        found = read_digits(
            ink,
            _known(models.digits.predict_many, x, whole.probabilities),
            one_digit=_known(models.one_digit.probabilities, x, one_digit)
            if models.one_digit
            else None,
            read_line=models.number.columns if models.number else None,
            strokes=strokes,
        )
    except TooManyDigits as error:
        return (
            _one(whole)
            if whole.accepted
            else Reading("not_a_digit", whole, reason="not_a_digit", too_many=str(error))
        )
    read = [(c, *_seen(c)) for c in found]
    if len(read) == 1:  # read as the whole, less any specks the cutting left out
        ((piece, x, probabilities),) = read
        if np.array_equal(x, whole.x):
            return _one(Piece(_box_of(piece), whole.x, whole.probabilities, whole.accepted))
        # A drawing refused whole stays refused: a face less its eyes and mouth is a 0.
        accepted = whole.accepted and not is_not_a_digit(models, x)
        return _one(Piece(_box_of(piece), x, probabilities, accepted))
    pieces = [
        Piece(_box_of(c), x, probabilities, piece_accepted(c, models))
        for c, x, probabilities in read
    ]
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


def _seen(candidate: Candidate) -> tuple[np.ndarray, np.ndarray]:
    """The input and answer of a piece the cutting chose: the models read every one."""
    assert candidate.x is not None and candidate.probabilities is not None
    return candidate.x, candidate.probabilities


def piece_accepted(candidate: Candidate, models: Models) -> bool:
    """A piece of a number is a digit unless the not-digit model rejects it; what the number
    model says of it in its line comes first, as it judges a digit with its neighbours where
    the not-digit model sees it cut out alone."""
    if candidate.line_says is not None:
        return candidate.line_says == "digit"
    return not is_not_a_digit(models, _seen(candidate)[0])


def is_not_a_digit(models: Models, x: np.ndarray) -> bool:
    """Whether the not-digit model rejects this preprocessed (28, 28) image (never without
    one)."""
    return models.not_digit is not None and models.not_digit.rejects(x)


def _one_digit(models, x):
    """The one-digit model's probability that x is one whole digit (0 without that model:
    then every drawing is cut and read)."""
    return models.one_digit.probability(x) if models.one_digit else 0.0


def _known(answer, x, known):
    """answer((n, 28, 28)) -> (n, ...), with `known` for each image equal to x instead of
    running the model on it again."""

    def answer_unknown(images):
        again = np.array([np.array_equal(image, x) for image in images], dtype=bool)
        if not again.any():
            return answer(images)
        out = np.empty((len(images), *np.shape(known)), dtype=np.float32)
        out[again] = known
        if not again.all():
            out[~again] = answer(images[~again])
        return out

    return answer_unknown


def _box_of(candidate: Candidate) -> Box:
    x, y, width, height = candidate.box
    return (int(x), int(y), int(width), int(height))


def _box(ink: np.ndarray) -> Box:
    """(x, y, width, height) of the ink in the drawing's pixels."""
    inked = ink > INK_THRESHOLD
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    return (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1))
