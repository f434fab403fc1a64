#!/usr/bin/env python3
"""Fails when the sibling modules of a folder depend on each other in a cycle.

An edge a -> b is any path `super::b::` (or `super::b` in a `use`, or `super::{b, ..}`)
written in a.rs outside comments, and `super::Item` where the folder's mod.rs re-exports
`Item` from b (`pub use b::{Item, ..}`). References to mod.rs itself (its private sets and
helpers) are the parent's, not a sibling's, and are not edges.

Usage: check_module_cycles.py DIR [DIR ...]   (e.g. src/plugin)
"""
import re
import sys
from pathlib import Path


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def reexports(mod_rs, siblings):
    """Item name -> sibling module, from `pub use sibling::{...}` in mod.rs."""
    found = {}
    text = strip_comments(mod_rs.read_text())
    for module, items in re.findall(r"pub use (\w+)::\{([^}]*)\}", text):
        if module in siblings:
            for item in re.findall(r"\w+", items):
                found[item] = module
    for module, item in re.findall(r"pub use (\w+)::(\w+);", text):
        if module in siblings:
            found[item] = module
    return found


def edges(folder):
    files = {p.stem: p for p in folder.glob("*.rs") if p.stem not in ("mod", "lib", "main")}
    mod_rs = folder / "mod.rs"
    items = reexports(mod_rs, files) if mod_rs.exists() else {}
    graph = {name: set() for name in files}
    for name, path in files.items():
        text = strip_comments(path.read_text())
        # Paths such as super::a::X and super::a;
        for target in re.findall(r"super::(\w+)", text):
            module = target if target in files else items.get(target)
            if module and module != name:
                graph[name].add(module)
        # Groups such as super::{a::X, b, Item}
        for group in re.findall(r"super::\{([^}]*)\}", text):
            for target in re.findall(r"(?:^|,)\s*(\w+)", group):
                module = target if target in files else items.get(target)
                if module and module != name:
                    graph[name].add(module)
    return graph


def find_cycle(graph):
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def main(folders):
    failed = False
    for folder in map(Path, folders):
        graph = edges(folder)
        cycle = find_cycle(graph)
        count = sum(len(v) for v in graph.values())
        if cycle:
            print(f"module cycle in {folder}: {' -> '.join(cycle)}")
            failed = True
        else:
            print(f"{folder}: {len(graph)} modules, {count} edges, no cycle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["src/plugin"]))
