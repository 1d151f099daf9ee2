"""Turn any drawing into the 28x28 input MNIST's own preparation would produce.

Used by training, the server, the CLIs and the tests alike, so the model sees in production
exactly what it saw in training. Depends on numpy and Pillow only: the server imports it
without importing TensorFlow.

MNIST's recipe: the digit's bounding box is scaled (aspect ratio kept) so that its longer side
is 20 px, anti-aliased, then placed in a 28x28 field so that its centre of mass is at the centre.
"""

import functools

import numpy as np
from PIL import Image

SIZE = 28  # side of the model's input
BOX = 20  # longer side of the digit inside it
CENTRE = 14.0  # where MNIST's centre of mass sits (mean over its training set: 13.99, 14.00)
INK_THRESHOLD = 0.2  # ink below this is background noise (JPEG ringing, faint anti-aliasing)


# What a model card says about the preprocessing (model.train, model.train_notdigit).
DESCRIPTION = (
    f"reading.preprocess: ink = 1, cropped, longer side {BOX} px, centred by mass in {SIZE}x{SIZE}"
)

EMPTY_MESSAGE = "The drawing has no ink. Draw a digit first."
LEVELS = np.arange(256, dtype=np.float32) / 255.0  # the 256 values of an 8-bit channel
OPAQUE = 0xFF000000  # an RGBA pixel read as a little-endian 32-bit word, alpha 255 and up


class EmptyDrawing(ValueError):
    """The image holds no ink to classify."""


def ink_map(image: Image.Image | np.ndarray) -> np.ndarray:
    """Return a float32 HxW array with ink = 1 and background = 0, whatever the image's look.

    image: a PIL image, or an (H, W, 4) uint8 RGBA array (what a canvas PNG decodes to).
    Transparent background: the ink is the alpha channel (what an unfilled canvas exports).
    Opaque: the background is the border's median brightness; ink is the distance from it,
    so dark-on-light and light-on-dark both give ink = 1.
    """
    if _is_wide(image):  # 16/32-bit: more than 8-bit levels
        return _ink_from_levels(_wide_brightness(image))
    levels, table = _levels_and_ink_table(image)
    return table.ink[levels]


def _is_wide(image):
    return not isinstance(image, np.ndarray) and (image.mode.startswith("I") or image.mode == "F")


class _InkTable:
    """From an 8-bit level to ink (float32): as an array, as the list Pillow's point() takes,
    and the levels that are ink at all."""

    def __init__(self, ink):
        self.ink, self.as_list, self.ink_levels = ink, ink.tolist(), np.flatnonzero(ink)
        self.ink.flags.writeable = self.ink_levels.flags.writeable = False  # shared by all


@functools.lru_cache(maxsize=257)
def _ink_table_on(background_level):
    """The table for a background of this 8-bit brightness, or for alpha (None): made once
    (white paper is nearly every request)."""
    if background_level is None:
        return _InkTable(_ink_table(LEVELS))
    return _InkTable(_ink_table(_ink_from_levels(LEVELS, background_level / 255.0)))


def _levels_and_ink_table(image):
    """An 8-bit array of levels (alpha or brightness) and its _InkTable.

    Working on 8-bit levels with a 256-entry table keeps the server's path to a few C calls.
    """
    if isinstance(image, np.ndarray):
        return _rgba_levels_and_ink_table(image)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if "A" in image.getbands():
        alpha = np.asarray(image.getchannel("A"))
        lowest = int(alpha.min())
        if lowest < 255 and _median(_border(alpha)) < 128:
            return alpha, _ink_table_on(None)
        if lowest < 255:  # opaque background, some translucent ink: flatten
            image = Image.alpha_composite(
                Image.new("RGBA", image.size, "white"), image.convert("RGBA")
            )
    return _brightness_levels_and_ink_table(image)


def _rgba_levels_and_ink_table(rgba):
    """The same for an (H, W, 4) uint8 RGBA array, without PIL's copies when it is opaque.

    A page's drawing is opaque (ink on white paper): one look at the pixels as 32-bit words
    says so, where splitting off the alpha channel would copy it first.
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    image = Image.frombuffer("RGBA", rgba.shape[1::-1], rgba, "raw", "RGBA", 0, 1)  # no copy
    if int(rgba.view("<u4").min()) >= OPAQUE:
        return _brightness_levels_and_ink_table(image)
    return _levels_and_ink_table(image)


def _brightness_levels_and_ink_table(image):
    levels = np.asarray(image.convert("L"))
    return levels, _ink_table_on(int(_median(_border(levels))))


def _median(values):
    # np.partition finds the middle value without sorting everything.
    return float(np.partition(values, values.size // 2)[values.size // 2])


def _ink_from_levels(gray, background=None):
    """Ink = distance from the background's brightness (the border's median, unless given)."""
    if background is None:
        background = _median(_border(gray))
    if background >= 0.5:
        ink = (background - gray) / background
    else:
        ink = (gray - background) / (1.0 - background)
    return np.clip(ink, 0.0, 1.0).astype(np.float32)


def _ink_table(ink):
    return np.where(ink > INK_THRESHOLD, ink, 0.0).astype(np.float32)


def _wide_brightness(image):
    """Brightness in [0, 1] of 16-bit and 32-bit grayscale (which convert("L") would clip)."""
    values = np.asarray(image, dtype=np.float32)
    top = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
    return values / (1.0 if image.mode == "F" else top)


def _border(a):
    return np.concatenate((a[0], a[-1], a[1:-1, 0], a[1:-1, -1])) if min(a.shape) > 1 else a.ravel()


def normalize_ink(ink: np.ndarray) -> np.ndarray:
    """Crop the ink to its box, scale the longer side to 20 px and centre it by mass in 28x28.

    Takes a float array with ink = 1 (any size); returns float32 (28, 28) in [0, 1].
    Raises EmptyDrawing when nothing is above the noise threshold.
    """
    ink = np.asarray(ink, dtype=np.float32)
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        raise EmptyDrawing(EMPTY_MESSAGE)
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return _fit(_ink_table(crop))


def _fit(crop):
    """The cropped ink scaled so its longer side is 20 px, placed by centre of mass in 28x28."""
    return _fit_image(Image.fromarray(crop, mode="F"))


def _fit_image(digit):
    """_fit for the cropped ink as a PIL "F" image."""
    width, height = digit.size
    scale = BOX / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    # Resampling a float image keeps anti-aliasing; a box filter averages when shrinking.
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    small = np.asarray(digit.resize((new_w, new_h), method), dtype=np.float32)
    small = np.clip(small / max(float(small.max()), 1e-6), 0.0, 1.0)

    total = small.sum()
    com_y = (small.sum(axis=1) @ np.arange(new_h, dtype=np.float32)) / total
    com_x = (small.sum(axis=0) @ np.arange(new_w, dtype=np.float32)) / total
    # Integer shift as MNIST did, kept inside the frame so no ink is cut off.
    top = min(max(round(CENTRE - com_y), 0), SIZE - new_h)
    left = min(max(round(CENTRE - com_x), 0), SIZE - new_w)
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top : top + new_h, left : left + new_w] = small
    return out


def preprocess_image(image: Image.Image | np.ndarray) -> np.ndarray:
    """A drawing -> float32 (28, 28), ink = 1.

    image: a PIL image of any size, mode and look, or an (H, W, 4) uint8 RGBA array.
    """
    if _is_wide(image):
        return normalize_ink(ink_map(image))
    # The same steps as normalize_ink(ink_map(image)), but the box is found on the 8-bit
    # levels and only the cropped pixels become floats: the server's hot path.
    levels, table = _levels_and_ink_table(image)
    if table.ink_levels.size == 0:
        raise EmptyDrawing(EMPTY_MESSAGE)
    is_ink = _ink_mask(levels, table.ink_levels)
    rows, cols = np.flatnonzero(is_ink.any(axis=1)), np.flatnonzero(is_ink.any(axis=0))
    if rows.size == 0:
        raise EmptyDrawing(EMPTY_MESSAGE)
    crop = levels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    # Pillow looks each 8-bit level up in the ink table straight into a float image.
    return _fit_image(Image.fromarray(crop).point(table.as_list, "F"))


def _ink_mask(levels, ink_levels):
    """Where the 8-bit levels are ink. Ink is one run of levels at the dark or the light end
    (the background's side decides), so one comparison finds it."""
    low, high = int(ink_levels[0]), int(ink_levels[-1])
    if high - low + 1 != ink_levels.size:  # not one run: look every level up
        return np.isin(levels, ink_levels)
    if low == 0:
        return levels <= high
    if high == 255:
        return levels >= low
    return (levels >= low) & (levels <= high)


def preprocess_mnist(images: np.ndarray) -> np.ndarray:
    """Put MNIST's uint8 digits (N, 28, 28), ink = 255, through the same normalization."""
    out = np.empty(images.shape, dtype=np.float32)
    for i, digit in enumerate(images):
        out[i] = normalize_ink(digit.astype(np.float32) / 255.0)
    return out


# A whole written line (model/number.py reads numbers from it): the ink's box scaled to
# LINE_INK px high, LINE_MARGIN px above and below, LINE_PAD px of blank on either side.
LINE_HEIGHT, LINE_INK, LINE_MARGIN, LINE_PAD = 32, 28, 2, 8
LINE_STEP = 16  # widths are rounded up to this: fewer distinct shapes for the model
MAX_LINE_WIDTH = 1024  # a longer line is squeezed to this width
LINE_DESCRIPTION = (
    f"reading.preprocess.normalize_line: ink = 1, cropped, {LINE_INK} px high in "
    f"a {LINE_HEIGHT} px line, width in proportion"
)


def line_ink_width(width: int, height: int) -> int:
    """How wide ink of this box (px) is in its normalized line: height to LINE_INK, width in
    proportion, squeezed to fit MAX_LINE_WIDTH."""
    return min(max(1, round(width * LINE_INK / height)), MAX_LINE_WIDTH - 2 * LINE_PAD)


def normalize_line(ink: np.ndarray) -> np.ndarray:
    """Crop the ink to its box and scale it to a line LINE_INK px high, width kept in proportion.

    Takes a float array with ink = 1 (any size); returns float32 (32, W) in [0, 1], W a
    multiple of LINE_STEP. Raises EmptyDrawing when nothing is above the noise threshold.
    """
    ink = np.asarray(ink, dtype=np.float32)
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        raise EmptyDrawing(EMPTY_MESSAGE)
    crop = _ink_table(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    height, width = crop.shape
    scale = LINE_INK / height
    new_w = line_ink_width(width, height)
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    small = np.asarray(
        Image.fromarray(crop, mode="F").resize((new_w, LINE_INK), method), dtype=np.float32
    )
    small = np.clip(small / max(float(small.max()), 1e-6), 0.0, 1.0)
    total = -(-(new_w + 2 * LINE_PAD) // LINE_STEP) * LINE_STEP
    out = np.zeros((LINE_HEIGHT, total), dtype=np.float32)
    out[LINE_MARGIN : LINE_MARGIN + LINE_INK, LINE_PAD : LINE_PAD + new_w] = small
    return out
