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
    result = subprocess.run([sys.executable, "-c", CHECK_NO_TF, str(drawing)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "heavy: []" in result.stdout
