#!/usr/bin/env bash
# Install phonesvc into ./.venv on a fresh Debian machine (root) or any machine with Python 3.11+.
#   bash scripts/install.sh          the server
#   bash scripts/install.sh test     the server and what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "phonesvc: please install $* (needs root and apt-get)" >&2
    exit 1
  fi
}

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "phonesvc needs Python 3.11+" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv; "$PY" -m venv .venv; }
fi
extra=""
[ "${1:-}" = test ] && extra="[test]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
