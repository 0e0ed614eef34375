#!/usr/bin/env bash
# The browser runner's benchmark (not a test): CPU time per task of the engine benchmark's kernels natively
# (clang -O2), in the Java worker's sandbox (WasmSandbox, EngineBench sandbox) and in headless Chromium through the
# volunteer page's runner (a Web Worker running the module instrumented with pause points: BrowserBench cpu); then the
# tasks per second one tab sustains with a trivial app (BrowserBench throughput). Best of RUNS. Figures go in
# docs/performance.md.
#
#   task-sdk/wasm/bench/browser.sh        (from the repository root; needs chromium and chromedriver)
set -euo pipefail
cd "$(dirname "$0")/../../.."
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$java_home/bin/java"
kernels=("collatz|5000000" "rk4|20000000" "sieve|100000000 3")

for k in collatz rk4 sieve; do
  clang -O2 -o "$work/$k.clang" "task-sdk/wasm/bench/$k.c" -lm
  clang --target=wasm32-wasi -O2 -o "$work/$k.wasm" "task-sdk/wasm/bench/$k.c"
done
# one reactor build: the class paths name the other modules' target/classes, never jars in ~/.m2
JAVA_HOME=$java_home ./mvnw -B -q -pl coordinator -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
JAVA_HOME=$java_home ./mvnw -B -q -pl task-sdk/wasm dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp-wasm.txt" >/dev/null
wasm_cp="task-sdk/wasm/target/test-classes:task-sdk/wasm/target/classes:$(cat "$work/cp-wasm.txt")"
coordinator_cp="target/test-classes:target/classes:$(cat "$work/cp.txt")"

best_native() { # binary args...: the best user+sys CPU time of RUNS runs
  local best=
  for _ in $(seq "$RUNS"); do
    t=$( { /usr/bin/time -f "%U %S" "$@" >/dev/null; } 2>&1 | tail -1 | awk '{printf "%.3f", $1 + $2}')
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  echo "$best"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(chromium --version 2>/dev/null | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| kernel | clang -O2 native | Java worker (WasmSandbox) | Chromium tab | tab vs native | tab vs Java |\n|---|---|---|---|---|---|\n'
for spec in "${kernels[@]}"; do
  IFS='|' read -r k args <<< "$spec"
  # shellcheck disable=SC2086
  native=$(best_native "$work/$k.clang" $args)
  # shellcheck disable=SC2086
  jvm=$("$java" -cp "$wasm_cp" dev.starling.wasm.EngineBench sandbox flat "$RUNS" "$work/$k.wasm" $args 2>&1 \
    | awk '/^RUN/ { for (i = 1; i <= NF; i++) if ($i ~ /^cpu_s=/) { v = substr($i, 7); if (b == "" || v < b) b = v } }
           END { print (b == "" ? "fail" : b) }')
  # shellcheck disable=SC2086
  tab=$(cd coordinator && "$java" -cp "$coordinator_cp" dev.starling.coordinator.browser.BrowserBench cpu "$RUNS" \
    "$work/$k.wasm" $args | awk '/best/ { print $NF }')
  echo "| $k $args | $native | $jvm | $tab | $(awk -v a="$tab" -v b="$native" 'BEGIN { printf "%.2fx", a / b }') |" \
    "$(awk -v a="$tab" -v b="$jvm" 'BEGIN { printf "%.2fx", a / b }') |"
done
for cores in 1 2; do
  (cd coordinator && "$java" -cp "$coordinator_cp" dev.starling.coordinator.browser.BrowserBench throughput 2000 "$cores")
done
