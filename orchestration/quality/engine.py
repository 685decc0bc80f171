"""Where the row rules' Great Expectations suites run: a worker process warmed at run start."""

# No `from __future__ import annotations`: Dagster inspects resource annotations at runtime.
import dagster as dg
from pydantic import PrivateAttr

from expectations.rules import Violation
from orchestration.quality.evaluate import RowInputs, validate_row_inputs, warm_up
from orchestration.workers import WarmProcess


class RowRulesResource(dg.ConfigurableResource):
    """Runs the row-rule suites (expectations/) on the row-input frames of a load.

    Importing Great Expectations costs ~6 s of CPU. With `warm_worker` (the default), a worker
    process starts with the run and imports it while ingest and dbt work, at a low CPU
    priority so that it only takes CPU they leave idle; the quality step then only validates,
    and the load's own process never imports it. Without, the suites run in the calling
    process (a notebook, a one-off check).
    """

    warm_worker: bool = True

    _worker: WarmProcess | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.warm_worker:
            self._worker = WarmProcess(warm_up, name="tuphap-great-expectations", niceness=10)
            self._worker.start()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def validate(self, row_inputs: RowInputs) -> list[Violation]:
        """The row rules' violations (dataset name -> rows of its input model)."""
        if self._worker is None:
            return validate_row_inputs(row_inputs)
        return self._worker.call(validate_row_inputs, dict(row_inputs))
