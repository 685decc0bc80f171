"""The code's shape: small modules, no import cycle, a small top level, and packages in layers.

These are properties a reviewer would otherwise check by hand on every change. The layers are
those of the README's Layout: a package imports only from its own layer or below, lazily
(inside a function) or not, and the packages' graph has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "orchestration", "expectations", "benchmarks", "deploy")
MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 10
# Bottom to top. A unit is a top-level package, or a sub-package or top-level module of
# orchestration/.
LAYERS = (
    ("ingest", "expectations"),
    ("orchestration.settings", "orchestration.progress", "orchestration.partitions"),
    ("orchestration.runtime",),
    ("orchestration.warehouse",),
    ("orchestration.ingest", "orchestration.dbt", "orchestration.quality",
     "orchestration.publish", "orchestration.report", "orchestration.export",
     "orchestration.targets", "orchestration.correspondence", "orchestration.mailbox"),
    ("orchestration.automation",),
    ("orchestration.definitions",),
    ("orchestration.cli", "deploy", "benchmarks"),
)
CLI_USERS = ("orchestration.cli", "deploy")  # the CLI is an edge: only these import it


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project's packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but those under `if TYPE_CHECKING:`."""
    nodes, pending = [], [tree]
    while pending:
        node = pending.pop()
        nodes.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return nodes


def _imported(module: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `module` imports anywhere in its body (lazy imports included: a cycle
    through a function-level import is still a cycle a reader must untangle), except the
    imports for type checkers only, which never run."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            # The longest known module the name refers to (a module, or a name inside one).
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, if there is any (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following):], following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph[following])))
    return None


def _unit(module: str) -> str:
    """The layered unit a module belongs to: `orchestration.warehouse.duckdb` ->
    `orchestration.warehouse`, `ingest.workbook.guards` -> `ingest`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "orchestration" else parts[0]


def unit_edges() -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) -> "file: imported module" for every import between
    two units (the package root `orchestration`, an empty __init__, is no unit)."""
    modules = _modules()
    known = set(modules)
    edges: dict[tuple[str, str], list[str]] = {}
    for name, path in modules.items():
        for target in sorted(_imported(name, path, known)):
            source_unit, target_unit = _unit(name), _unit(target)
            if target == "orchestration" or source_unit == target_unit:
                continue
            edges.setdefault((source_unit, target_unit), []).append(
                f"{path.relative_to(ROOT)}: imports {target}")
    return edges


def upward_imports(edges: dict[tuple[str, str], list[str]],
                   layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Each import of a unit from a layer above its own, or of a unit in no layer."""
    level = {unit: index for index, layer in enumerate(layers) for unit in layer}
    wrong = []
    for (source, target), where in sorted(edges.items()):
        if source not in level or target not in level:
            wrong += [f"{line} ({source} or {target} is in no layer)" for line in where]
        elif level[target] > level[source]:
            wrong += [f"{line} (layer {level[source]} imports layer {level[target]})"
                      for line in where]
    return wrong


def test_every_unit_has_a_layer() -> None:
    units = {_unit(name) for name in _modules()} - {"orchestration"}
    layered = {unit for layer in LAYERS for unit in layer}
    assert units - layered == set()


def test_no_package_imports_one_above_it() -> None:
    assert upward_imports(unit_edges(), LAYERS) == []


def test_the_packages_import_graph_has_no_cycle() -> None:
    edges = unit_edges()
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    cycle = _cycle(graph)
    assert cycle is None, [edges[pair][0] for pair in zip(cycle, cycle[1:], strict=False)]


def test_only_the_cli_and_the_service_import_the_cli() -> None:
    users = sorted(line for (source, target), where in unit_edges().items()
                   if target == "orchestration.cli" and source not in CLI_USERS
                   for line in where)
    assert users == []


def test_ingest_imports_nothing_of_orchestration() -> None:
    assert [line for (source, target), where in unit_edges().items()
            if source == "ingest" and target.startswith("orchestration") for line in where] == []


def test_an_upward_import_is_named_with_its_file() -> None:
    edges = {("low", "high"): ["low/a.py: imports high.b"], ("high", "low"): ["high/c.py: x"]}
    assert upward_imports(edges, (("low",), ("high",))) == [
        "low/a.py: imports high.b (layer 0 imports layer 1)"]


def test_no_module_over_400_lines() -> None:
    too_long = {name: n for name, path in _modules().items()
                if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert too_long == {}


def test_no_import_cycle_between_the_projects_modules() -> None:
    modules = _modules()
    known = set(modules)
    graph = {name: _imported(name, path, known) for name, path in modules.items()}
    # A package's __init__ re-exporting its own modules is not a cycle through them.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(f"{t}.")}
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", ["orchestration"])
def test_a_small_top_level(package: str) -> None:
    top = sorted(p.name for p in (ROOT / package).glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
