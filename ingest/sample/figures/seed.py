"""What fixes every figure of the sample: the seed and the years it models.

These are facts of the synthetic sample, deliberately distinct from the years the warehouse
accepts (`ingest.constants.reporting_years`, which moves with the clock): the sample must give
the same bytes every year, so its years are fixed here. They lie inside the supported range
(tests/ingest/sample/test_write_sample.py checks it).
"""

from __future__ import annotations

SEED = "tuphap-sample-v1"  # change it and every figure changes: bump only on purpose
MODEL_YEARS: tuple[int, ...] = tuple(range(2016, 2026))  # what the model generates
CLUSTER_YEARS: tuple[int, ...] = tuple(range(2018, 2026))  # the cluster's digitised reports
NATIONAL_YEARS: tuple[int, ...] = MODEL_YEARS
ANCHOR_YEAR = 2022  # the year calibrated to the published cluster totals
MERGER_YEAR = 2025  # first reporting year of the 34 provinces
