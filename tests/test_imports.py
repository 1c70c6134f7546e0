"""The core's modules import each other without circles: a lower module never
imports a higher one, not even inside a function."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fatigue"
# Being broken on another branch (issue 13); delete this line when it is merged.
KNOWN = {frozenset({"actions", "suggestions"})}


def imports() -> dict[str, set[str]]:
    """For every core module, the core modules it imports anywhere in its file."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "fatigue":
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fatigue."):
                found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("fatigue.")}
        graph[path.stem] = found - {path.stem}
    return graph


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The sets of modules that import each other round in a circle."""
    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for name in graph.get(todo.pop(), ()):
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
        return seen

    reachable = {name: reach(name) for name in graph}
    return {frozenset({a} | {b for b in reachable[a] if a in reachable.get(b, ())})
            for a in graph if a in reachable[a]}


def test_the_helper_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == {frozenset({"a", "b", "c"})}


def test_no_import_circles_in_the_core():
    assert circles(imports()) - KNOWN == set()


def test_the_storage_layers_import_downwards_only():
    graph = imports()
    assert graph["errors"] == graph["files"] == set()
    assert graph["transactions"] <= {"errors"}
    assert graph["crypto"] <= {"transactions", "files", "errors"}
    assert "db" not in graph["migrations"]
