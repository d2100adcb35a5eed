#!/usr/bin/env bash
# Build (once) the llama-cpp-python wheel for this machine's CPUs into qa's own wheelhouse and
# print its path. The wheelhouse is keyed by version and CMake flags, so a wheel built with other
# flags (or pip's own cache) is never reused. The flags are explicit because these VMs advertise
# AMX but kill a process that runs AMX code: a native build crashes on any prompt over ~32 tokens.
set -euo pipefail
version="${QA_LLAMA_CPP_VERSION:-0.3.36}"
flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF"
key="$(printf '%s|%s' "$version" "$flags" | sha256sum | cut -c1-12)"
house="${QA_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/qa/wheels}/llama-cpp-python-$version-$key"
python="${1:-python3}"
if ! ls "$house"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  mkdir -p "$house.partial"
  echo "building llama-cpp-python $version for this CPU (about 20 min, once per machine) ..." >&2
  CMAKE_ARGS="$flags" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$python" -m pip wheel --quiet --disable-pip-version-check --no-cache-dir --no-deps \
    --no-binary llama-cpp-python -w "$house.partial" "llama-cpp-python==$version" >&2
  rm -rf "$house" && mv "$house.partial" "$house"
fi
ls "$house"/llama_cpp_python-*.whl
