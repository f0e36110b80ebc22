# Sourced by the other scripts: create the development environment once (.venv at the
# repository root, from requirements-dev.txt, which includes requirements.txt and
# requirements-gate.txt) and put it first on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${POLICY_GATE_VENV:-$ROOT/.venv}"
STAMP="$VENV/.requirements-stamp"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || ! cmp -s "$ROOT/requirements-dev.txt" "$STAMP" || [ "$ROOT/requirements.txt" -nt "$STAMP" ] \
    || [ "$ROOT/requirements-gate.txt" -nt "$STAMP" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-dev.txt"
  cp "$ROOT/requirements-dev.txt" "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
