#!/usr/bin/env bash
# Sets up the llama.cpp anchor for `evercast bench writer`: a Python venv in .tools/llamacpp
# (git-ignored) with llama-cpp-python from PyPI, which compiles llama.cpp from source for this
# machine (GGML_NATIVE: the CPU's own SIMD features). Takes ~5-10 minutes on 2 cores.
#
#   bench/setup-anchor.sh            # or JOBS=4 bench/setup-anchor.sh
#
# Needs python3 (with venv) and a C/C++ compiler; pip fetches cmake/ninja itself.
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/llamacpp"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$VERSION')" 2>/dev/null; then
    echo "llama-cpp-python $VERSION is already installed in $venv"
    exit 0
fi

python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
echo "building llama.cpp (llama-cpp-python $VERSION) from source; this takes several minutes"
CMAKE_BUILD_PARALLEL_LEVEL="${JOBS:-2}" CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON}" \
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-binary llama-cpp-python \
    "llama-cpp-python==$VERSION"
"$venv/bin/python" -c "import llama_cpp; print('llama-cpp-python', llama_cpp.__version__, 'ready in $venv')"
