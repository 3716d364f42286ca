#!/usr/bin/env python3
"""Checks that the runtime's crates depend on each other one way only, and
that every crate lists only what it uses.

Each crate may depend on the crates of the layers below it and on no other
workspace crate (docs/architecture.md draws the layers). A normal dependency
that the crate's own code (its library and binaries) never names is unused,
or belongs with the dev-dependencies when only tests and benchmarks use it;
a dev-dependency that nothing names is unused. Reads `cargo metadata`; exits
1 naming every dependency that points the wrong way or is not used.
"""
import json
import os
import re
import subprocess
import sys

# Lowest first. A crate may use any crate listed before its own layer.
LAYERS = [
    {"barcoded-domain"},
    {"barcoded-store", "barcoded-store-postgres", "barcoded-sandbox"},
    {"barcoded-app"},
    {"barcoded"},
]

metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
members = set(metadata["workspace_members"])
# The name code uses for each package: its library target's.
lib_name = {
    package["name"]: target["name"]
    for package in metadata["packages"]
    for target in package["targets"]
    if set(target["kind"]) & {"lib", "rlib", "proc-macro"}
}


def sources(package, kinds):
    """The text of every .rs file under the folders of `package`'s targets
    of these kinds (a build script's own file)."""
    folders = {
        os.path.dirname(target["src_path"])
        for target in package["targets"]
        if set(target["kind"]) & kinds
    }
    text = []
    for folder in sorted(folders):
        for base, _, files in os.walk(folder):
            text.extend(
                open(os.path.join(base, name), encoding="utf-8").read()
                for name in files
                if name.endswith(".rs")
            )
    return "\n".join(text)


def unused(package):
    """Lines naming each dependency of `package` that is not used as listed."""
    own = sources(package, {"lib", "bin", "custom-build", "proc-macro"})
    tests = sources(package, {"test", "bench", "example"})
    found = []
    for dependency in package["dependencies"]:
        name = dependency["rename"] or lib_name.get(dependency["name"], dependency["name"])
        ident = re.escape(name.replace("-", "_"))
        # A path into it, a `use` of it, or one of its attributes; not prose.
        named = re.compile(rf"\b{ident}\s*::|\buse\s+{ident}\b|#\[\s*{ident}\s*[(\]]")
        kind = dependency["kind"] or "normal"
        if kind == "normal" and not named.search(own):
            where = "only tests or benchmarks use it: make it a dev-dependency" if named.search(tests) else "nothing uses it"
            found.append(f"{package['name']} depends on {dependency['name']}, but {where}")
        elif kind == "dev" and not (named.search(own) or named.search(tests)):
            found.append(f"{package['name']} has the dev-dependency {dependency['name']}, which nothing uses")
    return found


layer_of = {name: i for i, layer in enumerate(LAYERS) for name in layer}
workspace = {package["name"] for package in metadata["packages"] if package["id"] in members}
missing = {name for layer in LAYERS for name in layer} - workspace
wrong = []
for package in metadata["packages"]:
    name = package["name"]
    if package["id"] not in members:
        continue
    wrong.extend(unused(package))
    if name not in layer_of:
        continue
    for dependency in package["dependencies"]:
        other = dependency["name"]
        if other in layer_of and layer_of[other] >= layer_of[name]:
            kind = dependency["kind"] or "normal"
            wrong.append(f"{name} depends on {other} ({kind}), which is not below it")
if missing:
    wrong.append(f"crates named in the layers but not in the workspace: {sorted(missing)}")
for line in wrong:
    print(f"layers: {line}", file=sys.stderr)
if wrong:
    sys.exit(1)
print("layers: " + " < ".join("{" + ", ".join(sorted(layer)) + "}" for layer in LAYERS))
