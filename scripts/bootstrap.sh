#!/usr/bin/env bash
# Creates the project venv (.venv) with the pinned dependencies. Installs Python's venv
# support from apt when it is missing and we are root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"

if ! command -v "$PYTHON" >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "需要 Python 3.11+：apt-get install python3 python3-venv" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "需要 Python 3.11 或更新版本（当前 $("$PYTHON" --version)）" >&2; exit 1; }
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "缺少 venv 模块：apt-get install python3-venv" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
fi

stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
