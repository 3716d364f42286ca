#!/usr/bin/env python3
"""Checks that no crate's modules depend on each other in a cycle.

For every crate of the workspace (read from `cargo metadata`), reads the
module tree from its root file's `mod` declarations, and draws an arrow from
a module to each module it names: `crate::`, `super::` and `self::` paths,
and the paths through its own child modules. A name re-exported by a `use`
leads to the module that defines it, so re-exports alone make no arrows back.
Test modules (`#[cfg(test)]`) are left out: tests may reach anywhere.

Exits 1 naming the modules of every cycle; prints one line per crate else.
"""
import json
import os
import re
import subprocess
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
MOD_DECL = re.compile(
    r"(#\[cfg\(test\)\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*(;|\{)"
)
USE = re.compile(r"\buse\s+([^;]+);")
# A char literal; a lifetime (`'a`) has no closing quote and is left as code.
CHAR = re.compile(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'")
PATH = re.compile(r"(?<![A-Za-z0-9_:])((?:" + IDENT + r")(?:\s*::\s*" + IDENT + r")+)")


def strip_comments_and_strings(text):
    """The code without comments, string and char literals (kept as ``""``)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not text[i - 1].isalnum()):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            out.append('""')
            i = n if end < 0 else end + 1 + len(hashes)
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'" and CHAR.match(text, i):
            out.append("' '")
            i = CHAR.match(text, i).end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def block_end(text, open_brace):
    """The index just past the brace that closes the one at `open_brace`."""
    depth = 0
    for i in range(open_brace, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def expand_use(tree):
    """`a::{b, c::{d, e as f}}` as (path, name) pairs: (['a', 'b'], 'b'),
    (['a', 'c', 'd'], 'd'), (['a', 'c', 'e'], 'f')."""
    tree = re.sub(r"\s+as\s+(" + IDENT + ")", r"@\1", tree)
    tree = re.sub(r"\s+", "", tree)

    def split_top(items):
        parts, depth, start = [], 0, 0
        for i, c in enumerate(items):
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == "," and depth == 0:
                parts.append(items[start:i])
                start = i + 1
        parts.append(items[start:])
        return [p for p in parts if p]

    def walk(prefix, node):
        brace = node.find("{")
        if brace < 0:
            path, _, alias = (prefix + node).partition("@")
            segments = path.split("::")
            if segments[-1] == "self":
                segments = segments[:-1]
            return [(segments, alias or segments[-1])] if segments else []
        pairs = []
        for part in split_top(node[brace + 1 : node.rfind("}")]):
            pairs.extend(walk(prefix + node[:brace], part))
        return pairs

    return walk("", tree)


class Module:
    def __init__(self):
        self.children = {}  # a child's name -> its full name, "crate::a::b"
        self.code = ""
        self.imports = {}  # a name visible here -> the path it names


def load_crate(root_file):
    modules = {}

    def load(name, file, code):
        module = Module()
        modules[name] = module
        # Inline modules: tests are dropped, others load as children.
        kept, i = [], 0
        for m in MOD_DECL.finditer(code):
            if m.start() < i:
                continue
            test, child, end = m.group(1), m.group(2), m.group(3)
            kept.append(code[i : m.start()])
            if end == "{":
                close = block_end(code, m.end() - 1)
                if not test:
                    load(f"{name}::{child}", file, code[m.end() : close - 1])
                    module.children[child] = f"{name}::{child}"
                i = close
            else:
                i = m.end()
                if test:
                    continue
                child_file = child_path(file, child, name == "crate")
                if child_file is None:
                    continue
                with open(child_file, encoding="utf-8") as f:
                    child_code = strip_comments_and_strings(f.read())
                load(f"{name}::{child}", child_file, child_code)
                module.children[child] = f"{name}::{child}"
        kept.append(code[i:])
        module.code = "".join(kept)
        # `#[cfg(test)]` items other than modules are left in; they are rare.
        for m in USE.finditer(module.code):
            for segments, name in expand_use(m.group(1)):
                if name != "*":
                    module.imports[name] = segments

    def child_path(file, child, is_root):
        base = os.path.dirname(file)
        stem = os.path.splitext(os.path.basename(file))[0]
        # A crate root's and a mod.rs's children sit beside them; other
        # files' in a folder of their own name.
        if not is_root and stem != "mod":
            base = os.path.join(base, stem)
        for candidate in (os.path.join(base, child + ".rs"), os.path.join(base, child, "mod.rs")):
            if os.path.exists(candidate):
                return candidate
        return None

    with open(root_file, encoding="utf-8") as f:
        load("crate", root_file, strip_comments_and_strings(f.read()))
    return modules


def resolve(modules, at, segments, depth=0):
    """The module that `segments`, written in module `at`, names or defines."""
    if depth > 16 or not segments:
        return at
    head, rest = segments[0], segments[1:]
    module = modules[at]
    if head == "crate":
        return resolve_in(modules, "crate", rest, depth)
    if head == "super":
        parent = at.rsplit("::", 1)[0] if "::" in at else at
        return resolve_in(modules, parent, rest, depth)
    if head == "self":
        return resolve_in(modules, at, rest, depth)
    if head in module.children:
        return resolve_in(modules, module.children[head], rest, depth)
    if head in module.imports and module.imports[head][0] in ("crate", "super", "self"):
        target = module.imports[head]
        return resolve(modules, at, target + rest, depth + 1)
    return None  # another crate's, or a local name


def resolve_in(modules, at, rest, depth):
    """`rest` looked up inside module `at`: its child modules, then what it
    imports (a re-export leads on to where the name is defined)."""
    module = modules[at]
    if not rest:
        return at
    head = rest[0]
    if head in module.children:
        return resolve_in(modules, module.children[head], rest[1:], depth)
    if head in module.imports and module.imports[head][0] in ("crate", "super", "self"):
        return resolve(modules, at, module.imports[head] + rest[1:], depth + 1)
    if head in module.imports and module.imports[head][0] in module.children:
        return resolve(modules, at, module.imports[head] + rest[1:], depth + 1)
    if head in module.imports:
        return None  # what it imports from another crate
    return at


def edges(modules):
    """Module -> the modules it names, through its `use`s and its paths."""
    graph = {name: set() for name in modules}
    for name, module in modules.items():
        named = [path for m in USE.finditer(module.code) for path, _ in expand_use(m.group(1))]
        for m in PATH.finditer(USE.sub("", module.code)):
            named.append(re.sub(r"\s+", "", m.group(1)).split("::"))
        for segments in named:
            segments = [s for s in segments if s != "*"]
            if not segments:
                continue
            if segments[0] not in ("crate", "super", "self") and segments[0] not in module.children:
                continue
            target = resolve(modules, name, segments)
            if target and target != name and target in modules:
                graph[name].add(target)
    return graph


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def self_test():
    """The check on a crate made to hold a cycle, so that it cannot pass by
    reading nothing: comments, strings and a renamed `use` are handled, and
    the cycle of two modules naming each other is found."""
    import tempfile

    with tempfile.TemporaryDirectory() as crate:
        files = {
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "use crate::b::Thing as Other;\npub struct A;\n",
            "b.rs": '// crate::a::A\npub struct Thing;\nfn f() { let _ = "crate::a::A"; }\n',
        }
        for name, text in files.items():
            with open(os.path.join(crate, name), "w", encoding="utf-8") as f:
                f.write(text)
        root = os.path.join(crate, "lib.rs")
        modules = load_crate(root)
        acyclic = cycles(edges(modules)) == [] and modules["crate::a"].imports["Other"][-1] == "Thing"
        with open(os.path.join(crate, "b.rs"), "a", encoding="utf-8") as f:
            f.write("fn g() -> crate::a::A { super::a::A }\n")
        found = cycles(edges(load_crate(root)))
    if not acyclic or found != [["crate::a", "crate::b"]]:
        sys.exit("modules: the check's self-test failed: it cannot be trusted on the workspace")


def main():
    self_test()
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    failed = False
    for package in metadata["packages"]:
        roots = sorted(
            {t["src_path"] for t in package["targets"] if set(t["kind"]) & {"lib", "bin", "cdylib"}}
        )
        for root in roots:
            modules = load_crate(root)
            graph = edges(modules)
            found = cycles(graph)
            target = f"{package['name']} ({os.path.relpath(root)})"
            for component in found:
                failed = True
                chain = " <-> ".join(m.replace("crate::", "") or "crate" for m in component)
                print(f"modules: {target}: a cycle among {chain}", file=sys.stderr)
                for m in component:
                    named = sorted(t.replace("crate::", "") for t in graph[m] if t in component)
                    print(f"    {m.replace('crate::', '')} names {', '.join(named)}", file=sys.stderr)
            if not found:
                print(f"modules: {target}: {len(modules)} modules, no cycle")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
