"""Where the row rules' Great Expectations suites run: a worker process warmed at run start."""

# No `from __future__ import annotations`: Dagster inspects resource annotations at runtime.
import dagster as dg
from pydantic import PrivateAttr

from expectations.rules import Violation
from orchestration.quality.evaluate import RowInputs, validate_row_inputs, warm_up
from orchestration.runtime.workers import WarmProcess

# The worker runs at the load's own priority. Niced, it would only take CPU the load leaves
# idle, but the load then waits for it at the quality step, and a process cannot lower its
# niceness again without privilege: on a machine busy with other work, at niceness 10 it was
# ready after 109 s (13 s at 0, under four busy loops) while the load waited.
GX_WORKER_NICENESS = 0


class RowRulesResource(dg.ConfigurableResource):
    """Runs the row-rule suites (expectations/) on the row-input frames of a load.

    Importing Great Expectations costs ~6 s of CPU. With `warm_worker` (the default), a worker
    process starts with the run and imports it while ingest and dbt work; the quality step
    then only validates, and the load's own process never imports it. Without, the suites run
    in the calling process (a notebook, a one-off check).
    """

    warm_worker: bool = True

    _worker: WarmProcess | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.warm_worker:
            self._worker = WarmProcess(warm_up, name="tuphap-great-expectations",
                                       niceness=GX_WORKER_NICENESS)
            self._worker.start()
            if context.log is not None:
                context.log.info(f"row rules' Great Expectations worker: {self._worker.origin}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def validate(self, row_inputs: RowInputs) -> list[Violation]:
        """The row rules' violations (dataset name -> rows of its input model)."""
        if self._worker is None:
            return validate_row_inputs(row_inputs)
        return self._worker.call(validate_row_inputs, dict(row_inputs))
