#!/usr/bin/env bash
# The engine benchmark (not a test): CPU time of three C kernels natively (gcc -O2, clang -O2) and compiled to
# WebAssembly (clang --target=wasm32-wasi -O2, and -O2 -mbulk-memory) in Chicory 1.7.5: its compiler with its two
# memories and Starling's flat one, the WasmSandbox as the worker runs it (safepoints included), the yield-counter
# rewrite (YieldInstrumentation, the pause candidate not chosen), its interpreter on smaller sizes; with GRAAL=1
# GraalWasm 25.0.1 on this stock JDK (interpreted: no Graal JIT) on smaller sizes. Each engine runs in a JVM of its
# own, RUNS times; the best run counts. Figures go in docs/performance.md.
#
#   task-sdk/wasm/bench/engines.sh            (from the repository root; about 10 minutes)
#   RUNS=4 GRAAL=1 task-sdk/wasm/bench/engines.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
RUNS=${RUNS:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$java_home/bin/java"

# kernel name, arguments (full size), arguments for the slow engines (small size)
kernels=("collatz|5000000|100000" "rk4|20000000|400000" "sieve|100000000 3|2000000 3")

for k in collatz rk4 sieve; do
  gcc -O2 -o "$work/$k.gcc" "task-sdk/wasm/bench/$k.c" -lm
  clang -O2 -o "$work/$k.clang" "task-sdk/wasm/bench/$k.c" -lm
  clang --target=wasm32-wasi -O2 -o "$work/$k.wasm" "task-sdk/wasm/bench/$k.c"
  clang --target=wasm32-wasi -O2 -mbulk-memory -o "$work/$k.bulk.wasm" "task-sdk/wasm/bench/$k.c"
done
JAVA_HOME=$java_home ./mvnw -B -q -pl task-sdk/wasm -am test-compile
JAVA_HOME=$java_home ./mvnw -B -q -pl task-sdk/wasm dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="task-sdk/wasm/target/test-classes:task-sdk/wasm/target/classes:$(cat "$work/cp.txt")"

best_native() { # binary args...: the best user+sys CPU time of RUNS runs
  local best=
  for _ in $(seq "$RUNS"); do
    t=$( { /usr/bin/time -f "%U %S" "$@" >/dev/null; } 2>&1 | tail -1 | awk '{printf "%.3f", $1 + $2}')
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  echo "$best"
}

small_native() { # binary args...: the CPU time of one run, from 20 runs in a row (one is too short to time)
  { /usr/bin/time -f "%U %S" bash -c 'for _ in $(seq 20); do "$@" >/dev/null; done' _ "$@"; } 2>&1 | tail -1 \
    | awk '{printf "%.4f", ($1 + $2) / 20}'
}

best_jvm() { # engine memory module args...: the best cpu_s of RUNS runs in one JVM
  "$java" -cp "$cp" dev.starling.wasm.EngineBench "$1" "$2" "$RUNS" "${@:3}" 2>&1 \
    | awk '/^RUN/ { for (i = 1; i <= NF; i++) if ($i ~ /^cpu_s=/) { v = substr($i, 7); if (b == "" || v < b) b = v } }
           END { print (b == "" ? "fail" : b) }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "fail") print "fail"; else printf "%.2fx", a / b }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $("$java" -version 2>&1 | head -1); $(gcc --version | head -1); $(clang --version | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| kernel | gcc -O2 | clang -O2 | engine | wasm flags | CPU s | vs gcc |\n|---|---|---|---|---|---|---|\n'
for spec in "${kernels[@]}"; do
  IFS='|' read -r k full small <<< "$spec"
  # shellcheck disable=SC2086
  gcc_s=$(best_native "$work/$k.gcc" $full)
  # shellcheck disable=SC2086
  clang_s=$(best_native "$work/$k.clang" $full)
  for config in "compiler bytearray wasm" "compiler bytebuffer wasm" "compiler flat wasm" "compiler flat bulk.wasm" \
      "sandbox flat wasm" "sandbox flat bulk.wasm" "yield flat wasm"; do
    read -r engine memory suffix <<< "$config"
    # shellcheck disable=SC2086
    s=$(best_jvm "$engine" "$memory" "$work/$k.$suffix" $full)
    flags=$([ "$suffix" = bulk.wasm ] && echo "-O2 -mbulk-memory" || echo "-O2")
    echo "| $k | $gcc_s | $clang_s | chicory $engine ($memory memory) | $flags | $s | $(ratio "$s" "$gcc_s") |"
  done
  # shellcheck disable=SC2086
  gcc_small=$(small_native "$work/$k.gcc" $small)
  # shellcheck disable=SC2086
  s=$(RUNS=2 best_jvm interpreter flat "$work/$k.wasm" $small)
  echo "| $k (small: $small) | $gcc_small | | chicory interpreter | -O2 | $s | $(ratio "$s" "$gcc_small") |"
  if [ "${GRAAL:-}" = 1 ]; then
    JAVA_HOME=$java_home ./mvnw -B -q -pl task-sdk/wasm -P bench-graal dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$work/graal.txt" >/dev/null
    # shellcheck disable=SC2086
    s=$("$java" -Dpolyglot.engine.WarnInterpreterOnly=false -cp "$(cat "$work/graal.txt")" \
        task-sdk/wasm/bench/GraalBench.java 2 "$work/$k.wasm" $small 2>&1 \
        | awk '/^RUN/ { for (i = 1; i <= NF; i++) if ($i ~ /^cpu_s=/) { v = substr($i, 7); if (b == "" || v < b) b = v } }
               END { print (b == "" ? "fail" : b) }')
    echo "| $k (small: $small) | $gcc_small | | graalwasm 25.0.1 (stock JDK, no Graal JIT) | -O2 | $s | $(ratio "$s" "$gcc_small") |"
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
