"""Reading a workbook's sheets into grids with python-calamine, in this process or a child.

All three kinds (.xlsx, .xls, .ods) are read with python-calamine (native, fast); zip-based
kinds pass the guards of guards.py first. The legacy .xls reader (an OLE2 compound file holding
BIFF records) has no such cheap pre-check, and a single damaged size field in it (e.g. a
DIMENSIONS record whose first row is after its last) makes calamine request terabytes and abort
the whole process. So .xls files are read in a short-lived child process: if the child dies,
the file is rejected and the load carries on. They are rare, so the ~0.2 s a child costs does
not matter.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from ingest.limits import MIB, Limits
from ingest.text import Problem
from ingest.workbook.cells import SheetGrid, sheet_where
from ingest.workbook.guards import Extent, check_extent, check_workbook_cells, check_zip_workbook

ISOLATED_KINDS = frozenset({"xls"})  # read in a child process (see the module docstring)
CHILD_TIMEOUT_SECONDS = 60
CHILD_MEMORY_BYTES = 2 * 1024 * MIB  # address space of the child; a real .xls needs ~100 MB



def is_native_panic(exc: BaseException) -> bool:
    """A panic inside python-calamine's Rust code (e.g. a date-formatted cell holding
    -9.2e18 makes it overflow a time delta). pyo3 raises it as PanicException, which derives
    from BaseException, so `except Exception` does not catch it and one bad cell would stop
    the whole load."""
    return type(exc).__name__ == "PanicException"


def read_workbook(data: bytes, kind: str, limits: Limits,
                  warnings: list[str] | None = None) -> list[SheetGrid]:
    """Every worksheet of the workbook, in tab order, as grids (after the limit checks)."""
    if kind in ISOLATED_KINDS:
        return _read_in_child(data, kind, limits, warnings)
    return read_workbook_in_process(data, kind, limits, warnings)


def _unreadable_in_child(detail: str) -> Problem:
    return Problem("unreadable", "tệp bị hỏng hoặc không phải bảng tính hợp lệ, không mở được; "
                                 "hãy mở tệp bằng Excel, lưu lại rồi gửi lại", detail=detail)


def _read_in_child(data: bytes, kind: str, limits: Limits,
                   warnings: list[str] | None) -> list[SheetGrid]:
    """read_workbook_in_process in a child process, so a native crash rejects only this file.

    The child gets the bytes and limits on stdin and answers with a pickle on stdout; it is
    our own code in our own venv, and its only input is the file, so the pickle is trusted as
    much as the code that wrote it."""
    root = str(Path(__file__).resolve().parents[2])  # the project root, above ingest/
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from ingest.workbook.reader import _child_main; _child_main()"],
            input=pickle.dumps((data, kind, limits)), capture_output=True, env=env,
            timeout=CHILD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise _unreadable_in_child(f"reading the {kind} file took over "
                                   f"{CHILD_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0 or not done.stdout:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise _unreadable_in_child(f"{kind} reader exited with {done.returncode}: {tail[0]}")
    status, payload, child_warnings = pickle.loads(done.stdout)  # noqa: S301 - our own child
    if warnings is not None:
        warnings.extend(child_warnings)
    if status == "problem":
        code, what, where, detail = payload
        raise Problem(code, what, where, detail=detail)
    return payload


def _child_main() -> None:
    """Entry point of the child process of `_read_in_child`."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):  # not on this platform: the parent still copes
        pass
    data, kind, limits = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    warnings: list[str] = []
    try:
        grids = read_workbook_in_process(data, kind, limits, warnings)
        answer: tuple = ("ok", grids, warnings)
    except Problem as problem:
        answer = ("problem", (problem.code, problem.what, problem.where, problem.detail),
                  warnings)
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.flush()


def read_workbook_in_process(data: bytes, kind: str, limits: Limits,
                             warnings: list[str] | None = None) -> list[SheetGrid]:
    """read_workbook in this process: for zip-based kinds, after the guards of guards.py."""
    if kind in ("xlsx", "ods"):
        check_zip_workbook(data, kind, limits, warnings)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise Problem("unreadable", "tệp được đặt mật khẩu (mã hóa) nên không đọc được; hãy gỡ "
                                    "mật khẩu rồi gửi lại", detail=str(exc)) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise Problem("unreadable", "tệp bị hỏng hoặc không phải bảng tính hợp lệ, không mở được; "
                                    "hãy mở tệp bằng Excel, lưu lại rồi gửi lại",
                      detail=f"calamine: {type(exc).__name__}: {exc}") from exc
    except BaseException as exc:
        if not is_native_panic(exc):
            raise
        raise Problem("unreadable", "tệp bị hỏng hoặc không phải bảng tính hợp lệ, không mở được; "
                                    "hãy mở tệp bằng Excel, lưu lại rồi gửi lại",
                      detail=f"calamine panic: {exc}") from exc
    grids: list[SheetGrid] = []
    total_cells = 0
    with workbook:
        try:
            metadata = workbook.sheets_metadata
        except (CalamineError, ValueError):
            metadata = []
        except BaseException as exc:
            if not is_native_panic(exc):
                raise
            metadata = []
        for index, name in enumerate(workbook.sheet_names):
            if index < len(metadata) and metadata[index].typ != SheetTypeEnum.WorkSheet:
                continue  # chart and macro sheets hold no cells
            try:
                sheet = workbook.get_sheet_by_index(index)
                start = sheet.start
                if start is None:
                    grids.append(SheetGrid(name, []))
                    continue
                extent = Extent(sheet.height, sheet.width)
                check_extent(extent, limits, f"sheet {name!r}")
                total_cells += extent.cells
                check_workbook_cells(total_cells, limits)
                rows = sheet.to_python(skip_empty_area=True)
            except Problem:
                raise
            except (CalamineError, ValueError, OSError) as exc:
                raise Problem(
                    "unreadable",
                    f"{sheet_where(name, None)} bị hỏng, không đọc được; hãy lưu lại tệp rồi "
                    "gửi lại",
                    detail=f"calamine sheet {name!r}: {type(exc).__name__}: {exc}") from exc
            except BaseException as exc:
                if not is_native_panic(exc):
                    raise
                raise Problem(
                    "unreadable",
                    f"{sheet_where(name, None)} có ô không đọc được (thường là ô ngày tháng, ví "
                    "dụ Ngày lập báo cáo, chứa một số quá lớn hoặc âm); hãy sửa ô đó rồi gửi lại",
                    detail=f"calamine panic on sheet {name!r}: {exc}") from exc
            grids.append(SheetGrid(name, rows, start[0], start[1]))
    return grids
