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
echo "ready: cd $root && bench/masking/.venv/bin/python -m bench.masking.evaluate --quick"
