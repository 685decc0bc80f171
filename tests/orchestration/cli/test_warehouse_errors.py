"""A warehouse the command cannot reach, on every command that opens one (issue 24): a wrong
password, an unreachable server or a missing database is one line on stderr naming the host,
port, database and role, never a traceback nor the password, and never "stopped answering"
(that is for a server that stopped mid-load: tests/reliability/test_postgres_loads.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.cli import main
from tests.postgres.warehouse import ServerWarehouse, server_warehouse  # noqa: F401
from tests.postgres_server import PostgresServer, postgres_server  # noqa: F401

COMMANDS = (
    ["load"], ["issues"], ["ack", "0" * 64, "--note", "checked"], ["targets", "--year", "2024"],
    ["report", "--year", "2022"], ["export", "fct_enforcement", "--format", "csv"],
)


def _run(command: list[str], url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    monkeypatch.setenv("TUPHAP_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("TUPHAP_INBOX", str(tmp_path / "inbox"))
    (tmp_path / "inbox").mkdir(exist_ok=True)
    out = ["--out", str(tmp_path / "out")] if command[0] in ("report", "export") else []
    if command[0] == "export":
        out = ["--out", str(tmp_path / "out.csv")]
    code = main([*command, "--warehouse", url, *out])
    captured = capsys.readouterr()
    return code, captured.err.strip().splitlines()


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_wrong_password_is_one_line_naming_the_warehouse_and_role(
    command: list[str], server_warehouse: ServerWarehouse, tmp_path: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    wrong = server_warehouse.url_with_password.replace(
        server_warehouse.loader_password, "Wrong-Pa55word")
    code, err = _run(command, wrong, tmp_path, capsys, monkeypatch)
    assert code == 1
    assert len(err) == 1, err
    line = err[0]
    port = server_warehouse.server.port
    assert line.startswith(f"tuphap {command[0]}")
    assert f"127.0.0.1:{port}/{server_warehouse.database} as {server_warehouse.loader}" in line
    assert "password authentication failed" in line
    assert "Wrong-Pa55word" not in line and "stopped answering" not in line


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_an_unreachable_server_is_one_line_naming_it(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, err = _run(command, "postgresql://loader@127.0.0.1:1/tuphap", tmp_path, capsys,
                     monkeypatch)
    assert code == 1
    assert len(err) == 1, err
    assert "at 127.0.0.1:1/tuphap as loader" in err[0]
    assert "stopped answering" not in err[0]


@pytest.mark.parametrize("command", COMMANDS[:3], ids=[c[0] for c in COMMANDS[:3]])
def test_a_missing_database_is_one_line_naming_it(
    command: list[str], postgres_server: PostgresServer, tmp_path: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/no_such_warehouse"
    code, err = _run(command, url, tmp_path, capsys, monkeypatch)
    assert code == 1
    assert len(err) == 1, err
    assert f"at 127.0.0.1:{postgres_server.port}/no_such_warehouse as postgres" in err[0]
    assert 'database "no_such_warehouse" does not exist' in err[0]
