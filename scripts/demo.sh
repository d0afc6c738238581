#!/usr/bin/env bash
# Install (on a fresh machine, or when pyproject.toml changed), then serve the demo data (SQLite file in
# ./phonesvc-data of the checkout, simulated PBX). Extra arguments go to `phonesvc serve`, e.g. --host
# 0.0.0.0 --port 8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/phonesvc serve --demo "$@"
