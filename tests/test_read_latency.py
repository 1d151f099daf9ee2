"""benchmarks/read_latency.py: it times /api/read with and without the number model and
writes what it measured."""

import json

from benchmarks.read_latency import main


def test_read_latency_times_each_configuration_and_writes_json(tmp_path, capsys):
    out = tmp_path / "read_latency.json"
    main(["--rounds", "2", "--out", str(out)])
    rows = json.loads(out.read_text())["rows"]
    assert {r["configuration"] for r in rows} == {
        "without number model",
        "shipped number model",
        "shipped number model, strokes",
    }
    assert len(rows) == 18 and all(0 < r["best_ms"] <= r["median_ms"] for r in rows)
    for name in ("shipped number model", "shipped number model, strokes"):
        shipped = [r for r in rows if r["configuration"] == name]
        assert {r["members"] for r in shipped} == {1}
        assert sum(r["read"] == r["number"] for r in shipped) >= 5
    assert "read right" in capsys.readouterr().out
