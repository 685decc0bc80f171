"""Great Expectations is imported without scipy.stats, which loads, whole, when first used
(expectations/suites.py, `defer_import`): each load's worker starts ~0,9 s of CPU sooner."""

from __future__ import annotations

import subprocess
import sys

from orchestration.settings import PROJECT_ROOT as ROOT

# A fresh interpreter: this one may have imported scipy.stats already.
PROBE = """
import sys
from expectations.suites import import_gx
import_gx()
print("after import_gx:", "scipy.stats._stats_py" in sys.modules)
from scipy import stats
import scipy.stats
assert stats is scipy.stats is sys.modules["scipy.stats"]
print("entropy:", round(stats.entropy([0.5, 0.5], [0.9, 0.1]), 4))
print("after use:", "scipy.stats._stats_py" in sys.modules)
"""


def test_scipy_stats_runs_only_when_something_uses_it() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [
        "after import_gx: False",  # its code has not run
        "entropy: 0.5108",  # ln(5/9)/2 + ln(5)/2: the real function, loaded on first use
        "after use: True",
    ]


def test_a_module_already_imported_or_missing_is_left_as_it_is() -> None:
    from expectations.suites import defer_import

    before = sys.modules["json"]
    defer_import("json")
    assert sys.modules["json"] is before
    defer_import("no_such_package.stats")
    assert "no_such_package.stats" not in sys.modules
