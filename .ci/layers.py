#!/usr/bin/env python3
"""Checks that the runtime's crates depend on each other one way only.

Each crate may depend on the crates of the layers below it and on no other
workspace crate (docs/architecture.md draws the layers). Reads
`cargo metadata`; exits 1 naming every dependency that points the wrong way.
"""
import json
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
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
layer_of = {name: i for i, layer in enumerate(LAYERS) for name in layer}
workspace = {package["name"] for package in metadata["packages"]}
missing = {name for layer in LAYERS for name in layer} - workspace
wrong = []
for package in metadata["packages"]:
    name = package["name"]
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
