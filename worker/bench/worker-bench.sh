#!/usr/bin/env bash
# How light the worker is: idle resident memory, start to first RequestWork, idle CPU, the framework's share of
# CPU on tasks of a second or more, and how well --cpu-limit holds. A benchmark, not a test: it prints figures
# (for docs/performance.md) and judges nothing. It runs a real coordinator (embedded PostgreSQL) and real
# worker processes on this machine, so run it when the machine is otherwise quiet (see `uptime`).
#
#   ./mvnw -B -q -DskipTests package [-Pdist]     first: the jars (and, with -Pdist, the bundle it prefers)
#   worker/bench/worker-bench.sh [wasm]          ports 28080/29090 unless BENCH_HTTP_PORT/BENCH_GRPC_PORT say;
#                                                wasm: only the WebAssembly task's CPU limit and time to suspend
set -euo pipefail
only="${1:-all}"
case "$only" in all|wasm) ;; *) echo "usage: worker-bench.sh [wasm]" >&2; exit 2 ;; esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/find-jdk.sh"
starling_find_jdk || exit 1
java="$JAVA_HOME/bin/java"
http="${BENCH_HTTP_PORT:-28080}"
grpc="${BENCH_GRPC_PORT:-29090}"
coordinator_jar="$root/coordinator/target/starling-coordinator.jar"
bundle="$(ls -d "$root"/worker/target/dist/starling-worker-*/ 2>/dev/null | head -n 1 || true)"
if [ -n "$bundle" ]; then
  worker=("${bundle}bin/starling-worker")
  what="the bundle (${bundle#"$root"/}: jlink runtime, its launcher's JVM options)"
else
  worker=("$java" -XX:+UseSerialGC -jar "$root/worker/target/starling-worker.jar")
  what="the worker jar on $JAVA_HOME with -XX:+UseSerialGC"
fi
[ -f "$coordinator_jar" ] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 1; }
dir="$(mktemp -d /tmp/starling-worker-bench.XXXXXX)"
tick=$(getconf CLK_TCK)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

echo "Worker benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "worker: $what"
echo

# ---- a coordinator of our own; the bench submits jobs as its admin and runs its workers under one volunteer
admin="admin:$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
STARLING_ADMIN_PASSWORD="${admin#admin:}" "$java" -Xmx512m -jar "$coordinator_jar" --server.port="$http" \
  --spring.grpc.server.port="$grpc" --starling.data-dir="$dir/coordinator" >"$dir/coordinator.log" 2>&1 &
pids+=($!)
api() { curl -fs -u "$admin" "$@"; }
for _ in $(seq 1 180); do
  api "localhost:$http/api/v1/apps" >/dev/null 2>&1 && break
  sleep 1
done
api "localhost:$http/api/v1/apps" >/dev/null || { echo "the coordinator did not start; see $dir/coordinator.log" >&2; exit 1; }
account_key=$(curl -fs -XPOST "localhost:$http/api/v1/volunteers" -H 'Content-Type: application/json' \
  -d '{"name":"worker-bench","email":"bench@example.org"}' | sed 's/.*"accountKey":"\([^"]*\)".*/\1/')
printf '# settings come from the command line\n' >"$dir/empty.properties"

start_worker() { # name, extra options...; sets $wpid
  local name=$1; shift
  "${worker[@]}" --config "$dir/empty.properties" --coordinator "localhost:$grpc" --account-key "$account_key" \
    --name "$name" --work-dir "$dir/$name" "$@" >"$dir/$name.out" 2>&1 &
  wpid=$!
  pids+=("$wpid")
}
stop_worker() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
await_line() { # file, text: waits up to 60 s
  for _ in $(seq 1 6000); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "timed out waiting for '$2' in $1" >&2
  return 1
}
millis_of_line() { # file, text: the log time of the first such line, in epoch milliseconds
  date -d "$(grep -m1 "$2" "$1" | cut -d' ' -f1)" +%s%3N
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
submit() { # JSON job; prints its id
  curl -s -u "$admin" -XPOST "localhost:$http/api/v1/jobs" -H 'Content-Type: application/json' -d "$1" >"$dir/job.json"
  grep -q '^{"id":' "$dir/job.json" || { echo "submitting $1 failed: $(cat "$dir/job.json")" >&2; return 1; }
  sed 's/^{"id":\([0-9]*\).*/\1/' "$dir/job.json"
}
await_job() {
  for _ in $(seq 1 3600); do
    api "localhost:$http/api/v1/jobs/$1" | grep -q '"state":"SUCCEEDED"' && return 0
    sleep 0.5
  done
  echo "job $1 did not succeed" >&2
  return 1
}

if [ "$only" = all ]; then
# ---- start to first RequestWork: the first start registers a new host, the others come back as it
echo "Start to first RequestWork (launch to the worker's 'Ready: asking' line, registration included):"
for run in 1 2 3 4 5; do
  launched=$(date +%s%3N)
  start_worker startup
  await_line "$dir/startup/logs/worker.0.log" "Ready: asking"
  ready=$(millis_of_line "$dir/startup/logs/worker.0.log" "Ready: asking")
  echo "  run $run: $((ready - launched)) ms"
  stop_worker "$wpid"
  mv "$dir/startup/logs/worker.0.log" "$dir/startup/logs/run-$run.log"
done

# ---- idle: resident memory and CPU of a worker with nothing to do (its long polls wait on the coordinator)
start_worker idle --cores 1
idle=$wpid
await_line "$dir/idle/logs/worker.0.log" "Ready: asking"
sleep 30 # start-up done, JIT and GC settled
rss=$(rss_kib "$idle")
t0=$(cpu_ticks "$idle"); sleep 60; t1=$(cpu_ticks "$idle")
echo
echo "Idle worker: resident memory $((rss / 1024)) MiB after 30 s; CPU over 60 s: $(( (t1 - t0) * 1000 / tick )) ms" \
  "($(awk -v t=$((t1 - t0)) -v hz="$tick" 'BEGIN {printf "%.3f", 100 * t / hz / 60}')% of one core)"

# ---- framework overhead: the process's CPU beside the tasks' own, one core, tasks of a second or more
job=$(submit '{"app":"primes","params":{"from":0,"to":30000000000,"chunkSize":1500000000},"redundancy":{"quorum":1},"deadlineSeconds":3600}')
c0=$(cpu_ticks "$idle"); w0=$(date +%s%3N)
await_job "$job"
c1=$(cpu_ticks "$idle"); w1=$(date +%s%3N)
task_ms=$(api "localhost:$http/api/v1/jobs/$job/workunits?size=100" | grep -o '"cpuTimeMillis":[0-9]*' | cut -d: -f2 | paste -sd+ | bc)
process_ms=$(( (c1 - c0) * 1000 / tick ))
echo
echo "Busy worker (--cores 1, 20 tasks of 1.5 * 10^9 numbers): tasks' CPU ${task_ms} ms, process CPU ${process_ms} ms," \
  "wall $((w1 - w0)) ms; framework overhead $(awk -v t="$task_ms" -v p="$process_ms" 'BEGIN {printf "%.2f", 100 * (p - t) / p}')% of CPU;" \
  "resident memory $(( $(rss_kib "$idle") / 1024 )) MiB"
stop_worker "$idle"

# ---- the CPU limit: one long task on one core at 50% and at 25%
for limit in 50 25; do
  start_worker "limit$limit" --cores 1 --cpu-limit "$limit" --work-buffer 0
  lw=$wpid
  await_line "$dir/limit$limit/logs/worker.0.log" "Ready: asking"
  job=$(submit '{"app":"primes","params":{"from":0,"to":200000000000,"chunkSize":200000000000},"redundancy":{"quorum":1},"deadlineSeconds":3600}')
  sleep 10 # fetched, started, paced
  t0=$(cpu_ticks "$lw"); sleep 30; t1=$(cpu_ticks "$lw")
  echo "CPU limit ${limit}%: the worker used $(awk -v t=$((t1 - t0)) -v hz="$tick" 'BEGIN {printf "%.1f", 100 * t / hz / 30}')% of one core over 30 s"
  api -XPOST "localhost:$http/api/v1/jobs/$job/cancel" >/dev/null
  stop_worker "$lw"
done

fi # all

# ---- a WebAssembly task: the squares sample (task-sdk/wasm-samples/squares.c) deployed, one work unit of hours
squares="$root/task-sdk/wasm/target/wasm/squares.wasm"
[ -f "$squares" ] || { echo "no $squares: build it with the package (clang --target=wasm32-wasi)" >&2; exit 1; }
printf '%s' '{"name":"squares","version":"1.0.0","limits":{"memoryMiB":16,"maxCpuSeconds":36000,"maxOutputBytes":4096},"validation":{"kind":"bitwise"},"credit":{"perWorkUnit":1.0}}' >"$dir/squares.json"
curl -s -u "$admin" -o "$dir/deploy.json" -w '%{http_code}' -XPOST "localhost:$http/api/v1/apps" \
  -F "manifest=<$dir/squares.json;type=application/json" -F "module=@$squares;type=application/wasm" | grep -q 201 \
  || { echo "deploying squares failed: $(cat "$dir/deploy.json")" >&2; exit 1; }
squares_job='{"app":"squares","params":{"workUnits":[{"args":["100000000000000"]}]},"redundancy":{"quorum":1}}'
wasm_thread() { # pid: the task id of the worker's thread running a module, once there is one
  local t
  for t in /proc/"$1"/task/*; do
    [[ "$(cat "$t/comm" 2>/dev/null)" == wasm-task-* ]] && { echo "${t##*/}"; return 0; }
  done
  return 1
}
await_wasm_thread() { # pid; sets $tid
  for _ in $(seq 1 6000); do
    tid=$(wasm_thread "$1") && return 0
    sleep 0.01
  done
  echo "no module started in worker $1" >&2
  return 1
}
thread_state() { awk '{print $3}' "/proc/$1/task/$2/stat" 2>/dev/null || echo gone; }

echo
for limit in 100 50 25; do # 100: what the task gets with no limit, on this machine now
  start_worker "wasm$limit" --cores 1 --cpu-limit "$limit" --work-buffer 0
  lw=$wpid
  await_line "$dir/wasm$limit/logs/worker.0.log" "Ready: asking"
  job=$(submit "$squares_job")
  await_wasm_thread "$lw"
  sleep 10 # compiled, paced
  t0=$(cpu_ticks "$lw"); sleep 30; t1=$(cpu_ticks "$lw")
  echo "WebAssembly task, CPU limit ${limit}%: the worker used $(awk -v t=$((t1 - t0)) -v hz="$tick" 'BEGIN {printf "%.1f", 100 * t / hz / 30}')% of one core over 30 s"
  api -XPOST "localhost:$http/api/v1/jobs/$job/cancel" >/dev/null
  stop_worker "$lw"
done

# ---- time to suspend: a terminal of our own (a pseudo-terminal the worker watches like any), "typed in" by setting
# its access time, as reading a key does; from there until the module's thread stops running (state R) and stays
# stopped (200 ms without running). --busy-cpu 100: other programs' CPU use never suspends it, only the keyboard.
script -qc "tty > '$dir/tty'; sleep 3600" /dev/null >/dev/null 2>&1 &
pids+=($!)
await_line "$dir/tty" "/dev/"
pts=$(cat "$dir/tty")
start_worker wasmidle --cores 1 --idle-only --busy-cpu 100 --idle-after 10s --work-buffer 0
iw=$wpid
await_line "$dir/wasmidle/logs/worker.0.log" "Ready: asking"
job=$(submit "$squares_job")
await_wasm_thread "$iw"
echo "WebAssembly task, time from a key typed to the module stopped (--idle-only, 5 runs):"
for run in 1 2 3 4 5; do
  while [ "$(thread_state "$iw" "$tid")" != R ]; do sleep 0.05; done # computing again (--idle-after passed)
  sleep "2.$(printf %03d $((RANDOM % 1000)))" # a random phase against the control loop's once a second
  typed=$(date +%s%N)
  touch -a "$pts"
  stopped=""; now=$typed
  while [ -z "$stopped" ] || [ $((now - stopped)) -lt 200000000 ]; do
    now=$(date +%s%N)
    if [ "$(thread_state "$iw" "$tid")" = R ]; then
      stopped=""
    elif [ -z "$stopped" ]; then
      stopped=$now
    fi
    [ $((now - typed)) -lt 9000000000 ] || { stopped=""; break; } # not within --idle-after: say so
    sleep 0.005
  done
  if [ -n "$stopped" ]; then echo "  run $run: $(( (stopped - typed) / 1000000 )) ms"; else echo "  run $run: not seen stopped"; fi
done
api -XPOST "localhost:$http/api/v1/jobs/$job/cancel" >/dev/null
stop_worker "$iw"

echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
