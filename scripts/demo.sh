#!/usr/bin/env bash
# Installs what is needed, builds, and runs the demo show on the local preview:
# open http://127.0.0.1:8080/ and watch the host sell. Ctrl-C ends the show.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec target/release/evercast run assets/demo/show.toml "$@"
