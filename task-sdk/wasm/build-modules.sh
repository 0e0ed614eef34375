#!/usr/bin/env bash
# Builds the C samples (task-sdk/wasm-samples) and the sandbox's C test modules (src/test/c) to WebAssembly with
# clang --target=wasm32-wasi, into target/wasm/. The Maven build runs it where /usr/bin/clang exists (profile
# wasm-toolchain); tests that need these modules skip without them, or fail when STARLING_REQUIRE_WASM_TOOLCHAIN=1
# (CI). Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32.
#
#   build-modules.sh [OUT_DIR [C_DIR...]]   the samples and each C_DIR's C files into OUT_DIR, absolute paths (the
#                                           CLI's build, for its own test modules); default target/wasm src/test/c
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-target/wasm}
dirs=("${@:2}")
[ ${#dirs[@]} -gt 0 ] || dirs=(src/test/c)
mkdir -p "$out"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int main(void) { return 0; }' > "$probe/t.c"
if ! clang --target=wasm32-wasi -O2 -o "$probe/t.wasm" "$probe/t.c" 2> "$probe/err"; then
  echo "build-modules: clang cannot build WebAssembly here (missing wasi-libc, lld or libclang-rt-14-dev-wasm32?):"
  cat "$probe/err"
  if [ "${STARLING_REQUIRE_WASM_TOOLCHAIN:-}" = 1 ]; then
    exit 1
  fi
  echo "build-modules: skipping; the tests that need these modules will skip"
  exit 0
fi
sources=(../wasm-samples/*.c)
for dir in "${dirs[@]}"; do
  sources+=("$dir"/*.c)
done
for source in "${sources[@]}"; do
  name=$(basename "$source" .c)
  target="$out/$name.wasm"
  if [ ! -e "$target" ] || [ "$source" -nt "$target" ] || [ ../wasm-samples/starling.h -nt "$target" ]; then
    clang --target=wasm32-wasi -O2 -I ../wasm-samples -o "$target" "$source"
  fi
done
echo "build-modules: $(ls "$out" | wc -l) modules in $out"
