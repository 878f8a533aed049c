#!/usr/bin/env bash
# Check the built folder with datasets 3.x, the last major version that runs
# loading scripts: every config is loaded through milcontacts_fr.py with
# trust_remote_code=True, and its rows must be identical to the Parquet files
# (read with pyarrow, no datasets involved), split by split, type by type, and
# so must the script's rows with streaming=True.
# The Parquet folder itself is also loaded by datasets 3 (its README front
# matter was written with datasets 5) and must give the same rows.
# Parquet-only configs (in the card but not in the script's BUILDER_CONFIGS:
# `bigbio_kb`, made by the package, see src/milcontacts/build/configs.py) are
# checked that way only: datasets 3 reading the folder vs pyarrow.
#
# Usage: scripts/check_datasets3.sh BUILD_DIR [ROOT]
#   BUILD_DIR  a folder written by `milcontacts build`; if it does not exist
#              yet, it is built from ROOT (default: the repository root).
# Environment:
#   PYTHON            interpreter for the separate virtualenv (default: python3)
#   MILCONTACTS       command that runs the project's CLI, used only to build
#                     (default: `milcontacts` on PATH, else `$PYTHON -m milcontacts`)
# The datasets 3.x environment is installed from requirements/datasets3.txt (the
# lock, with hashes; refreshed by scripts/lock.sh) into a throw-away virtualenv
# that is removed on exit, so nothing is left outside the checkout.
# Exit status: 0 identical; 1 a difference (listed); 2 usage or set-up error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
if [[ $# -lt 1 || $# -gt 2 ]]; then
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
fi
build_dir="$1"
root="${2:-$repo}"
python="${PYTHON:-python3}"

if [[ ! -f "$build_dir/README.md" || ! -f "$build_dir/milcontacts_fr.py" ]]; then
    if [[ -e "$build_dir" && -n "$(ls -A "$build_dir" 2>/dev/null)" ]]; then
        echo "check_datasets3: $build_dir is not a milcontacts build folder" >&2
        exit 2
    fi
    cli="${MILCONTACTS:-}"
    if [[ -z "$cli" ]]; then
        if command -v milcontacts >/dev/null 2>&1; then cli=milcontacts; else cli="$python -m milcontacts"; fi
    fi
    echo "check_datasets3: building $build_dir from $root" >&2
    $cli build "$root" --out "$build_dir" || { echo "check_datasets3: the build failed" >&2; exit 2; }
fi

# The spaCy version that tokenized the `ner` config: the lock must hold the same
# one, or the comparison would test spaCy's changelog rather than the script.
spacy_version="$(sed -n 's/.*tokenized with spaCy \([0-9][0-9.]*\).*/\1/p' "$build_dir/README.md" | head -n 1)"
if [[ -z "$spacy_version" ]]; then
    echo "check_datasets3: $build_dir/README.md does not say which spaCy version built it" >&2
    exit 2
fi
lock="$repo/requirements/datasets3.txt"
if ! grep -q "^spacy==$spacy_version " "$lock"; then
    echo "check_datasets3: $build_dir was tokenized with spaCy $spacy_version, which $lock does not pin;" \
         "rebuild with the locked environment or refresh the lock (scripts/lock.sh)" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$work/venv"
cache="$work/cache"
echo "check_datasets3: installing $lock into a throw-away virtualenv" >&2
"$python" -m venv "$venv" || { echo "check_datasets3: cannot create a virtualenv with $python" >&2; exit 2; }
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$lock" \
    || { echo "check_datasets3: pip install failed" >&2; exit 2; }

export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_DATASETS_DISABLE_PROGRESS_BARS=1
HF_DATASETS_CACHE="$cache" HF_MODULES_CACHE="$cache/modules" \
    "$venv/bin/python" - "$build_dir" "$cache" <<'PY'
"""Compare the loading script's rows (datasets 3) with the Parquet files."""
import json
import sys
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import yaml

folder, cache = Path(sys.argv[1]).resolve(), sys.argv[2]
assert datasets.__version__.startswith("3."), datasets.__version__
card = (folder / "README.md").read_text(encoding="utf-8")
meta = yaml.safe_load(card.split("---\n", 2)[1])
problems = []


def first_difference(a, b, path="row"):
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
    elif a != b:
        return f"{path}: {a!r} != {b!r}"
    return None


import importlib.util

spec = importlib.util.spec_from_file_location("milcontacts_fr_configs", folder / "milcontacts_fr.py")
script_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script_module)
script_configs = set(script_module.CONFIG_NAMES)

checked = 0
parquet_only = []
for entry in meta["configs"]:
    config = entry["config_name"]
    by_parquet_folder = datasets.load_dataset(str(folder), config, cache_dir=cache)
    splits = [d["split"] for d in entry["data_files"]]
    if config not in script_configs:
        parquet_only.append(config)
        for d in entry["data_files"]:
            parquet = [row for p in d["path"] for row in pq.read_table(folder / p).to_pylist()]
            if by_parquet_folder[d["split"]].to_list() != parquet:
                problems.append(f"{config}/{d['split']}: load_dataset(folder) with datasets 3 gives other rows")
            checked += len(parquet)
        continue
    by_script = datasets.load_dataset(str(folder / "milcontacts_fr.py"), config, trust_remote_code=True,
                                      cache_dir=cache)
    if list(by_script) != splits:
        problems.append(f"{config}: script splits {list(by_script)} != card splits {splits}")
        continue
    for d in entry["data_files"]:
        split = d["split"]
        tables = [pq.read_table(folder / p) for p in d["path"]]
        parquet = [row for t in tables for row in t.to_pylist()]
        script = by_script[split].to_list()
        if len(script) != len(parquet):
            problems.append(f"{config}/{split}: script {len(script)} rows, Parquet {len(parquet)} rows")
            continue
        for i, (a, b) in enumerate(zip(script, parquet)):
            diff = first_difference(a, b)
            if diff:
                problems.append(f"{config}/{split} row {i}: {diff}")
                break
        if by_script[split].data.schema.remove_metadata() != tables[0].schema.remove_metadata():
            problems.append(f"{config}/{split}: Arrow types differ:\n  script:  {by_script[split].data.schema}\n"
                            f"  parquet: {tables[0].schema}")
        streamed = datasets.load_dataset(str(folder / "milcontacts_fr.py"), config, split=split, streaming=True,
                                         trust_remote_code=True, cache_dir=cache)
        if list(streamed) != parquet:
            problems.append(f"{config}/{split}: the script with streaming=True gives other rows")
        if by_parquet_folder[split].to_list() != parquet:
            problems.append(f"{config}/{split}: load_dataset(folder) with datasets 3 gives other rows")
        if by_script[split].features != by_parquet_folder[split].features:
            problems.append(f"{config}/{split}: features differ between the script and the card")
        checked += len(parquet)

if problems:
    print("check_datasets3: the loading script and the Parquet files differ:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print(f"check_datasets3: datasets {datasets.__version__}: {checked} rows in {len(meta['configs'])} configs "
      "identical (script vs Parquet" + (f"; Parquet-only {', '.join(parquet_only)}: datasets 3 vs pyarrow" if parquet_only else "")
      + ")")
PY
