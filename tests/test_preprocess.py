"""The one preprocessing function: any drawing -> MNIST's 28x28, ink = 1, centred by mass."""

import numpy as np
import pytest
from drawing import draw_digit
from PIL import Image
from strokes import DIGIT_STROKES

from model.data import load_mnist
from reading.preprocess import EmptyDrawing, normalize_ink, preprocess_image, preprocess_mnist


def bounding_box(x, threshold=0.2):
    rows = np.flatnonzero((x > threshold).any(axis=1))
    cols = np.flatnonzero((x > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(x):
    ys, xs = np.mgrid[0:28, 0:28]
    return (x * ys).sum() / x.sum(), (x * xs).sum() / x.sum()


def test_preprocess_output_shape_range_and_type():
    x = preprocess_image(draw_digit(DIGIT_STROKES[3]))
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == pytest.approx(1.0)


@pytest.mark.parametrize("look", ["dark", "light", "transparent"])
def test_preprocess_polarity_and_transparency_give_the_same_input(look):
    reference = preprocess_image(draw_digit(DIGIT_STROKES[2], look="dark"))
    x = preprocess_image(draw_digit(DIGIT_STROKES[2], look=look))
    assert np.abs(x - reference).mean() < 0.02
    assert x[0, 0] == 0.0  # background is 0 whatever the look


@pytest.mark.parametrize("digit", range(10))
def test_preprocess_longer_side_is_20_and_centre_of_mass_is_central(digit):
    x = preprocess_image(draw_digit(DIGIT_STROKES[digit]))
    assert max(bounding_box(x)) in (19, 20, 21)
    com_y, com_x = centre_of_mass(x)
    assert abs(com_y - 14) <= 1.0 and abs(com_x - 14) <= 1.0


@pytest.mark.parametrize(
    "box",
    [(0.0, 0.0, 0.15, 0.15), (0.8, 0.75, 0.98, 0.98), (0.3, 0.0, 0.7, 1.0), (0.05, 0.4, 0.4, 0.6)],
)
def test_preprocess_off_centre_and_small_digits_land_where_a_centred_one_does(box):
    centred = preprocess_image(draw_digit(DIGIT_STROKES[7], size=1080, width=30))
    moved = preprocess_image(
        draw_digit(DIGIT_STROKES[7], size=1080, width=30 * (box[2] - box[0]), box=box)
    )
    com_y, com_x = centre_of_mass(moved)
    assert abs(com_y - 14) <= 1.0 and abs(com_x - 14) <= 1.0
    if box[2] - box[0] == box[3] - box[1]:  # same aspect ratio: the same picture
        assert np.abs(moved - centred).mean() < 0.05


def test_preprocess_keeps_the_aspect_ratio_of_a_one():
    x = preprocess_image(draw_digit(DIGIT_STROKES[1], width=20))
    height, width = bounding_box(x)
    assert height == 20 and width <= 5


@pytest.mark.parametrize("width", [2, 8, 20, 45])
def test_preprocess_thin_and_thick_strokes_both_reach_full_ink(width):
    x = preprocess_image(draw_digit(DIGIT_STROKES[0], width=width))
    assert x.max() == pytest.approx(1.0)
    ink_share = (x > 0.5).mean()
    assert 0.03 < ink_share < 0.6


def test_preprocess_mnist_digits_stay_close_to_themselves():
    _, (x_test, _) = load_mnist(verbose=False)
    original = x_test[:500].astype(np.float32) / 255.0
    processed = preprocess_mnist(x_test[:500])
    assert np.abs(processed - original).mean() < 0.01


def test_preprocess_one_mnist_digit_rendered_large_returns_to_itself():
    _, (x_test, _) = load_mnist(verbose=False)
    digit = Image.fromarray(255 - x_test[0]).resize((280, 280), Image.Resampling.BICUBIC)
    x = preprocess_image(digit)
    assert np.abs(x - x_test[0] / 255.0).mean() < 0.05


@pytest.mark.parametrize(
    "colour,mode", [(255, "L"), (0, "L"), ((0, 0, 0, 0), "RGBA"), ((255, 255, 255, 0), "RGBA")]
)
def test_preprocess_empty_drawings_are_reported_not_classified(colour, mode):
    with pytest.raises(EmptyDrawing):
        preprocess_image(Image.new(mode, (280, 280), colour))


def test_preprocess_faint_noise_is_not_ink():
    noise = np.random.default_rng(0).uniform(0, 0.1, (280, 280))
    with pytest.raises(EmptyDrawing):
        normalize_ink(noise)


@pytest.mark.parametrize("mode", ["L", "RGB", "P", "LA", "I;16", "CMYK", "1"])
def test_preprocess_accepts_every_pillow_mode_a_decoder_gives(mode):
    reference = preprocess_image(draw_digit(DIGIT_STROKES[4]))
    rgb = draw_digit(DIGIT_STROKES[4]).convert("RGB")
    if mode == "I;16":
        image = Image.fromarray(np.asarray(rgb.convert("L"), np.uint16) * 257)
        assert image.mode == "I;16"
    else:
        image = rgb.convert(mode)
    assert np.abs(preprocess_image(image) - reference).mean() < 0.03


@pytest.mark.parametrize("look", ["dark", "light", "transparent"])
def test_preprocess_fast_path_equals_the_training_steps(look):
    # The server's 8-bit path must give exactly what normalize_ink(ink_map(...)) gives.
    from reading.preprocess import ink_map

    image = draw_digit(DIGIT_STROKES[5], look=look, width=9)
    assert np.array_equal(preprocess_image(image), normalize_ink(ink_map(image)))


@pytest.mark.parametrize("look", ["dark", "light", "transparent", "translucent ink on paper"])
def test_rgba_array_gives_what_its_pil_image_gives(look):
    # The server hands canvas PNGs over as (H, W, 4) arrays; the model must see the same input.
    from reading.preprocess import ink_map

    if look == "translucent ink on paper":
        pixels = np.asarray(draw_digit(DIGIT_STROKES[5], look="dark", width=9).convert("RGBA"))
        pixels = pixels.copy()
        pixels[..., 3] = np.where(pixels[..., 0] > 128, 200, 255)  # paper not quite opaque
        image = Image.fromarray(pixels, "RGBA")
    else:
        image = draw_digit(DIGIT_STROKES[5], look=look, width=9).convert("RGBA")
    pixels = np.asarray(image)
    assert np.array_equal(preprocess_image(pixels), preprocess_image(image))
    assert np.array_equal(ink_map(pixels), ink_map(image))
