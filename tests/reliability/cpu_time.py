"""CPU time spent parsing, which does not grow when the machine is busy (wall time does).

An .xls file is read in a child process (ingest/workbook/reader.py): under load its wall time
went from 0.1 s to 3.6 s while it used 0.1-0.2 s of CPU. A limit on what a file costs is a
limit on CPU, so the reliability tests measure that.
"""

from __future__ import annotations

import resource


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children it has waited for (a child
    counts once reaped, as `subprocess.run` does before returning)."""
    return sum(usage.ru_utime + usage.ru_stime
               for usage in (resource.getrusage(resource.RUSAGE_SELF),
                             resource.getrusage(resource.RUSAGE_CHILDREN)))
