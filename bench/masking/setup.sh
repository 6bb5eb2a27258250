#!/usr/bin/env bash
# Creates bench/masking/.venv with the project (editable) and the pinned peers
# of the masking evaluation. Run from anywhere; safe to re-run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3.11}"
[ -x "$here/.venv/bin/python" ] || "$python" -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet -e "$root" -r "$here/requirements.txt"
# Pins marked "# no-deps: NAME==VERSION" in requirements.txt are installed
# without their declared dependencies (presidio-evaluator: see there).
mapfile -t no_deps < <(sed -n 's/^# no-deps: *//p' "$here/requirements.txt")
if [ "${#no_deps[@]}" -gt 0 ]; then
    "$here/.venv/bin/pip" install --quiet --no-deps "${no_deps[@]}"
fi
echo "ready: cd $root && bench/masking/.venv/bin/python -m bench.masking.evaluate --quick"
