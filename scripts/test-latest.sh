#!/usr/bin/env bash
# Run the test suite against the newest versions that pyproject.toml's ranges
# allow (not the lock), in a throw-away virtualenv removed on exit. A failure
# here is tomorrow's broken install: fix the code or narrow the range, then
# refresh the lock (scripts/lock.sh --upgrade). Extra arguments go to pytest.
#
# Exit status: pytest's.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
python3 -m venv "$work/venv"
echo "test-latest: installing the newest allowed versions into $work/venv" >&2
"$work/venv/bin/pip" install -q --upgrade pip
"$work/venv/bin/pip" install -q --upgrade --upgrade-strategy eager -e '.[test]'
# Say which versions differ from the lock, so a failure points at its cause.
"$work/venv/bin/python" - requirements/test.txt <<'PY'
import re, sys
from importlib.metadata import distributions
locked = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"([A-Za-z0-9_.\-]+)==([^ ;\\]+)", line)
    if m:
        locked.setdefault(re.sub(r"[-_.]+", "-", m[1]).lower(), set()).add(m[2])
newer = sorted((d.metadata["Name"], d.version, ", ".join(sorted(locked[n])))
               for d in distributions()
               if (n := re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower()) in locked and d.version not in locked[n])
print(f"test-latest: {len(newer)} package(s) newer than the lock" + (":" if newer else ""))
for name, new, old in newer:
    print(f"  {name} {new} (lock: {old})")
PY
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
