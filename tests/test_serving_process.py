"""The serving process: no TensorFlow, and clear start-up failures."""

import subprocess
import sys

CHECK_NO_TF = """
import sys
from webapp import create_app
app = create_app()
app.test_client().post("/api/predict", data=open(sys.argv[1], "rb").read(),
                       content_type="image/png")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
print("heavy:", heavy)
"""


def test_server_never_imports_tensorflow(tmp_path):
    from drawing import draw_digit
    from strokes import DIGIT_STROKES

    drawing = tmp_path / "three.png"
    draw_digit(DIGIT_STROKES[3]).save(drawing)
    result = subprocess.run(
        [sys.executable, "-c", CHECK_NO_TF, str(drawing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "heavy: []" in result.stdout


def test_server_keeps_freed_request_buffers_on_glibc():
    # Debian's glibc takes the thresholds; a worker then reuses a request's pixel buffers
    # instead of page-faulting them in afresh (0.2 ms of each answer, benchmarks/serving.py).
    result = subprocess.run(
        [sys.executable, "-c", "from webapp.memory import keep_freed_buffers as k; print(k())"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr
