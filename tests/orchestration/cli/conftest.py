"""The CLI's tests read the export tests' small warehouse."""

from tests.orchestration.export.conftest import warehouse  # noqa: F401
