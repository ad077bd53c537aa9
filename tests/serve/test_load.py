"""``make load``'s script: it drives a real ``syncscope serve`` from localhost only and reports
throughput, percentiles and errors; docs/serve.md keeps the generated numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "bench" / "load_serve.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def test_a_short_run_reports_both_phases_without_errors() -> None:
    done = _run(
        "--clients", "20", "--duration", "1", "--warmup", "0.3", "--rate", "200", "--distinct",
        "100", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    paced, flat_out = json.loads(done.stdout)
    assert paced["mode"] == "200 requests/s offered" and flat_out["mode"] == "back to back"
    for result in (paced, flat_out):
        assert result["clients"] == 20
        assert result["errors"] == 0, result["error_kinds"]
        assert result["ok"] == result["requests"] > 0
        assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
        # Every body was asked once before the phases, so the server answers them from its
        # cache of rendered answers, as its /healthz counts them over the measured window.
        assert result["primed"]["bodies"] == result["distinct_bodies"] == 100
        assert result["primed"]["errors"] == 0
        assert result["cache_misses"] == 0 < result["cache_hits"]
        assert result["cache_hit_rate"] == 1.0
    # Paced at 200/s for about a second: near 200 answers, not a flat-out burst.
    assert 100 <= paced["ok"] <= 260
    assert flat_out["throughput_rps"] > paced["throughput_rps"]


def test_the_request_count_is_bounded() -> None:
    done = _run(
        "--clients", "10", "--duration", "5", "--warmup", "0", "--max-requests", "50", "--json"
    )
    assert done.returncode == 0, done.stderr
    paced, flat_out = json.loads(done.stdout)
    assert paced["requests"] <= 50 and flat_out["requests"] <= 50


def test_only_localhost_and_sane_bounds() -> None:
    for args in (["--host", "0.0.0.0"], ["--duration", "0"], ["--clients", "0"]):
        done = _run(*args)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr


def test_the_docs_keep_one_generated_section_with_both_phases() -> None:
    text = (ROOT / "docs" / "serve.md").read_text(encoding="utf-8")
    assert text.count("<!-- load:begin") == 1 and text.count("<!-- load:end -->") == 1
    section = text.split("<!-- load:begin", 1)[1].split("<!-- load:end -->", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "ms" not in line]
    assert [row.split(" | ")[0] for row in rows] == ["| 2000 requests/s offered", "| back to back"]
