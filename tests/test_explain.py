"""?explain=1: the occlusion map of why the model gave its answer."""

import numpy as np
import pytest
from drawing import draw_digit, png_bytes
from strokes import DIGIT_STROKES
from test_api import assert_contract_answer, assert_error

from webapp.explain import occlusion_map


def top_left_detector(images):
    """A stand-in model that says 0 in proportion to the ink in the top-left 8x8 corner."""
    score = np.asarray(images)[:, :8, :8].mean(axis=(1, 2))
    return np.stack([score] + [np.zeros_like(score)] * 9, axis=1)


def test_occlusion_map_puts_the_evidence_where_the_model_looks():
    x = np.zeros((28, 28), dtype=np.float32)
    x[2:6, 2:6] = 1.0  # inside the corner the stand-in model reads
    x[20:24, 20:24] = 1.0  # ink the stand-in model ignores
    explanation = occlusion_map(top_left_detector, x, top_left_detector(x[None])[0])
    assert explanation.shape == (28, 28) and explanation.dtype == np.float32
    # Each of the four patches over the square hides 4 of the 64 pixels the model reads.
    assert np.allclose(explanation[2:6, 2:6], 4 / 64)
    assert np.allclose(explanation[18:26, 18:26], 0.0)


def test_occlusion_map_of_a_blank_input_is_zero():
    x = np.zeros((28, 28), dtype=np.float32)
    assert not occlusion_map(top_left_detector, x, top_left_detector(x[None])[0]).any()


@pytest.mark.parametrize("digit", [1, 4, 7])
def test_predict_explain_covers_the_ink_of_the_digit(client, digit):
    response = client.post(
        "/api/predict?explain=1",
        data=png_bytes(draw_digit(DIGIT_STROKES[digit])),
        content_type="image/png",
    )
    body = response.get_json()
    assert_contract_answer(body, digit)
    explanation = np.array(body["explanation"])
    assert explanation.shape == (28, 28)
    ink = np.array(body["input"]) > 0.2
    # Hiding the ink is what changes the answer: the evidence lies on and next to the strokes.
    near_ink = np.zeros_like(ink)
    for dy in range(-4, 5):
        for dx in range(-4, 5):
            near_ink |= np.roll(ink, (dy, dx), axis=(0, 1))
    positive = np.clip(explanation, 0, None)
    assert positive.sum() > 0
    assert positive[near_ink].sum() >= 0.95 * positive.sum()
    assert np.abs(explanation[~near_ink]).max() < 0.05


def test_predict_without_explain_has_no_explanation(client):
    for query in ("", "?explain=0", "?explain=false"):
        response = client.post(
            f"/api/predict{query}",
            data=png_bytes(draw_digit(DIGIT_STROKES[3])),
            content_type="image/png",
        )
        assert response.status_code == 200 and "explanation" not in response.get_json()


def test_predict_explain_with_a_bad_value_is_a_400(client):
    response = client.post(
        "/api/predict?explain=maybe",
        data=png_bytes(draw_digit(DIGIT_STROKES[3])),
        content_type="image/png",
    )
    assert_error(response, 400, "bad_parameter")
