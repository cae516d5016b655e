"""The benchmark scripts keep working as the rules change (they assert no timings).

bench_clock's simulated meeting broke when a space came to hold the floor (turn rules 3):
its facilitator pressed Space during the space. It runs in about a second, with no disk and
no real time, so it runs here whole; its clock figures are exact by construction.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_clock_runs_and_its_derived_clock_is_exact():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_clock.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "max |displayed - true| up to the step   0.000 ms" in done.stdout
    assert "display never ran backwards: True" in done.stdout
