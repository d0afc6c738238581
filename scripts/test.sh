#!/usr/bin/env bash
# Install what the tests need, lint, and run the whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
.venv/bin/ruff check phonesvc tests bench
exec .venv/bin/python -m pytest "$@"
