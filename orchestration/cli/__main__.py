"""`python -m orchestration.cli ARGS`: the `tuphap` command without its console script."""

import os

from orchestration.cli import run

os.environ.setdefault("PYTHONIOENCODING", "utf-8")
run()
