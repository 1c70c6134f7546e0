"""The core's modules import each other without circles: a lower module never
imports a higher one, not even inside a function."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fatigue"


def module_name(path: Path) -> str:
    """A core module's name below the package: "db", "teamfigures.rules", "web" (an __init__)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "fatigue"


def imports() -> dict[str, set[str]]:
    """For every core module (those of the subpackages too), the core modules it imports
    anywhere in its file. ``from fatigue.web import client`` imports the module web.client;
    ``from fatigue.web import INSTALLED_ENV`` imports web itself."""
    paths = [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]
    known = {module_name(path) for path in paths}

    def target(package: str, name: str) -> str:
        inner = f"{package}.{name}" if package else name
        return inner if inner in known else package

    graph: dict[str, set[str]] = {}
    for path in paths:
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (
                    node.module == "fatigue" or (node.module or "").startswith("fatigue.")):
                package = node.module.removeprefix("fatigue").removeprefix(".")
                found |= {target(package, alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name.removeprefix("fatigue.") for a in node.names
                          if a.name.startswith("fatigue.")}
        name = module_name(path)
        graph[name] = found - {name, ""}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for name in graph.get(todo.pop(), ()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The sets of modules that import each other round in a circle."""
    reach = {name: reachable(graph, name) for name in graph}
    return {frozenset({a} | {b for b in reach[a] if a in reach.get(b, ())})
            for a in graph if a in reach[a]}


def test_the_helper_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == {frozenset({"a", "b", "c"})}


def test_no_import_circles_in_the_core():
    assert circles(imports()) == set()


def test_the_storage_layers_import_downwards_only():
    graph = imports()
    assert graph["errors"] == graph["files"] == set()
    assert graph["transactions"] <= {"errors"}
    assert graph["crypto"] <= {"transactions", "files", "errors"}
    assert "db" not in graph["migrations"]


def test_the_subpackages_are_read_module_by_module():
    graph = imports()
    assert {"db", "membership", "teamfigures.rules", "teamfigures.store"} <= graph[
        "teamfigures.release"]
    assert {"web.client", "web.page", "web.sso", "sso", "sessions"} <= graph["web.signin"]
    assert graph["web"] == {"web.signin", "web.guard", "web.reminder_links"}  # submodules only


def test_the_schema_never_reaches_the_connection():
    """Team figures' schema helpers (issue 12) and the notes key sit below migrations."""
    graph = imports()
    assert {"crypto", "membership", "teamfigures.legacy"} <= graph["migrations"]
    assert "db" not in reachable(graph, "migrations")
