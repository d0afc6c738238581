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
extra="" stamps=".venv/.installed .venv/.installed-test"
[ "${1:-}" = test ] && extra="[test]" stamps=".venv/.installed-test"
# The package is installed editable, so code changes need no reinstall: pip runs again only when
# pyproject.toml changed since the last install into this .venv (PHONESVC_REINSTALL=1 forces it).
if [ -z "${PHONESVC_REINSTALL:-}" ]; then
  for stamp in $stamps; do
    if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then exit 0; fi
  done
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
touch "${stamps%% *}"
