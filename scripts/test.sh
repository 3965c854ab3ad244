#!/usr/bin/env bash
# Installs what is needed (including nginx-rtmp, chromium and ffmpeg for the end-to-end tests),
# builds, and runs every test against the real GStreamer, espeak-ng, nginx and browser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# The end-to-end tests each start a live show; running them one at a time keeps a 2-core
# machine real-time.
# --no-fail-fast: one failing test binary does not hide the results of the others.
cargo test --release --locked --workspace --no-fail-fast -- --test-threads=1
