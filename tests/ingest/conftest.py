"""Shared fixtures for the ingest tests: the real register and a real parse of real files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.model import ParseResult
from ingest.parse import parse_file
from ingest.reference import Registry
from tests.ingest.builders import report_grid, write_xlsx


@pytest.fixture
def parse(registry: Registry) -> Callable[..., ParseResult]:
    """parse_file with the project's register; keyword arguments pass through."""

    def run(path: Path, **kwargs: object) -> ParseResult:
        kwargs.setdefault("registry", registry)
        return parse_file(path, **kwargs)  # type: ignore[arg-type]

    return run


@pytest.fixture(scope="session")
def template_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small valid report workbook, used as the base of hostile variants."""
    grid = report_grid("PBGDPL", [("Tổng cộng", {"sessions": 10, "attendees": 200})])
    return write_xlsx(tmp_path_factory.mktemp("template") / "template.xlsx", {"PBGDPL": grid})
