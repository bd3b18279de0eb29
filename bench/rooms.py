"""Print the room dependency graph and fail on any import cycle, between rooms or between files.

    python bench/rooms.py            # table of room -> rooms it imports, then cycles (if any)

Every `import` / `from ... import` in the source is counted, lazy ones inside functions
included. Rooms: core (the `fitcoach` root package), ingest, knowledge, agent, finetune.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROOMS = {"core": "fitcoach", "ingest": "fitcoach.ingest", "knowledge": "fitcoach.knowledge",
         "agent": "fitcoach.agent", "finetune": "fitcoach.finetune"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    room = rel.parts[0]
    parts = [ROOMS[room], *rel.with_suffix("").parts[1:]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for part in parts for p in part.split("."))


def room_of(module: str) -> str | None:
    if not module.startswith("fitcoach"):
        return None
    second = module.split(".")[1] if "." in module else ""
    for room, prefix in ROOMS.items():
        if room != "core" and second == prefix.split(".")[1]:
            return room
    return "core"


def imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    # `if TYPE_CHECKING:` blocks never run: annotations only, not a dependency at run time
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test) for b in node.body for n in ast.walk(b)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_pkg else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)  # `from pkg import module`
    return {m for m in out if m.startswith("fitcoach")}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    files = {module_name(p): p for room in ROOMS for p in (ROOT / room).rglob("*.py")}
    module_graph: dict[str, set[str]] = defaultdict(set)
    room_graph: dict[str, set[str]] = defaultdict(set)
    for mod, path in files.items():
        src_room = room_of(mod)
        for target in imports(path, mod):
            if target in files and target != mod:
                module_graph[mod].add(target)
            dst_room = room_of(target)
            if dst_room and dst_room != src_room:
                room_graph[src_room].add(dst_room)
    print(f"{'room':<10} imports")
    for room in ROOMS:
        print(f"{room:<10} {', '.join(sorted(room_graph.get(room, ()))) or '-'}")
    room_cycles = find_cycles(room_graph)
    # a package importing its own submodules (or a submodule its package) is not a file cycle
    file_graph = {m: {t for t in ts if not t.startswith(m + ".") and not m.startswith(t + ".")}
                  for m, ts in module_graph.items()}
    file_cycles = find_cycles(file_graph)
    print(f"\nroom cycles: {len(room_cycles)}  file cycles: {len(file_cycles)}")
    for cycle in room_cycles + file_cycles:
        print("  cycle:", " <-> ".join(cycle))
    return 1 if room_cycles or file_cycles else 0


if __name__ == "__main__":
    sys.exit(main())
