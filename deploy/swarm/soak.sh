#!/usr/bin/env bash
# Retention soak (issue 18): a coordinator of its own on a fresh embedded PostgreSQL, a swarm of simulated hosts, a job
# submitted every few seconds, an unreferenced blob uploaded with each, finished jobs deleted after a while; retention
# of a few minutes. Every minute it prints one row: load, database and blob store sizes, rows, validated work units/s,
# and how many jobs the purger finished that minute. The sizes must level off; the throughput of minutes with purges
# is compared with that of minutes before the first purge (and with --retention off, a run without any).
#
#   deploy/swarm/soak.sh [--minutes 30] [--retention 3m] [--hosts 200] [--job-every 5] [--work-units 200]
#                        [--delete-after 6m] [--blob-grace 2m] [--blob-size 262144] [--keep]
#
# Needs the jars (./mvnw -B -q -DskipTests package), psql (Debian's postgresql-client) and curl. Output: the table on
# stdout, progress on stderr; the data dir (database, blobs, coordinator.log) is removed unless --keep.
set -euo pipefail

minutes=30 retention=3m hosts=200 job_every=5 work_units=200 delete_after=6m blob_grace=2m blob_size=262144 keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --retention) retention="$2"; shift 2 ;;
    --hosts) hosts="$2"; shift 2 ;;
    --job-every) job_every="$2"; shift 2 ;;
    --work-units) work_units="$2"; shift 2 ;;
    --delete-after) delete_after="$2"; shift 2 ;;
    --blob-grace) blob_grace="$2"; shift 2 ;;
    --blob-size) blob_size="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "soak: unknown option '$1' (--help)" >&2; exit 2 ;;
  esac
done
[ "$retention" = off ] && retention=3650d

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
coordinator_jar="$root/coordinator/target/starling-coordinator.jar"
swarm_jar="$root/deploy/swarm/target/starling-swarm.jar"
for f in "$coordinator_jar" "$swarm_jar"; do
  [ -f "$f" ] || { echo "soak: $f is missing: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
done
for tool in psql curl; do
  command -v "$tool" >/dev/null || { echo "soak: $tool not found" >&2; exit 2; }
done
java=""  # Java 21 or later: $JAVA_HOME's, else the newest installed
for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java java; do
  v=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then java="$candidate"; break; fi
done
[ -n "$java" ] || { echo "soak: no Java 21 or later found (set JAVA_HOME)" >&2; exit 2; }

seconds() { # 90s, 3m, 1h, 2d -> seconds
  local v="${1%[smhd]}"
  case "$1" in *s) echo "$v" ;; *m) echo $((v * 60)) ;; *h) echo $((v * 3600)) ;; *d) echo $((v * 86400)) ;; *) echo "$1" ;; esac
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'; }

dir="$(mktemp -d /tmp/starling-soak-XXXXXX)"
http=$(free_port); grpc=$(free_port)
password="soak-$RANDOM$RANDOM"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = true ]; then echo "soak: kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT

cp "$coordinator_jar" "$swarm_jar" "$dir/"  # a rebuild during the soak must not change the jars under it
coordinator_jar="$dir/$(basename "$coordinator_jar")" swarm_jar="$dir/$(basename "$swarm_jar")"
echo "soak: coordinator on $http/$grpc, data in $dir, retention $retention, $hosts hosts, a job of $work_units" \
     "work units every ${job_every}s, jobs deleted ${delete_after} after they finish, blob grace $blob_grace" >&2
STARLING_ADMIN_PASSWORD="$password" "$java" -Xmx1g -jar "$coordinator_jar" \
  --starling.data-dir="$dir" --server.port="$http" --spring.grpc.server.port="$grpc" \
  --starling.retention.finished-jobs="$retention" --starling.retention.interval=5s \
  --starling.retention.blob-grace="$blob_grace" >"$dir/coordinator.log" 2>&1 &
pids+=($!)
api="http://localhost:$http"
for _ in $(seq 1 180); do
  curl -fs "$api/actuator/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$api/actuator/health" >/dev/null || { echo "soak: the coordinator did not start; see $dir/coordinator.log" >&2; tail -20 "$dir/coordinator.log" >&2; exit 1; }
key=$(curl -fs -u "admin:$password" -H 'Content-Type: application/json' -d '{"name":"soak"}' \
  "$api/api/v1/admin/researchers" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
[ -n "$key" ] || { echo "soak: could not create a researcher" >&2; exit 1; }
pg_port=$(sed -n 4p "$dir/postgres/postmaster.pid")
sql() { psql -h localhost -p "$pg_port" -U postgres -d starling -At -c "$1"; }

"$java" -jar "$swarm_jar" swarm --coordinator "localhost:$grpc" --api "$api" --api-key "$key" --hosts "$hosts" \
  --cores 2 --task-ms 20 --warmup 10s --duration "$((minutes * 60 + 30))s" --drain-timeout 1s \
  >"$dir/swarm.out" 2>"$dir/swarm.err" &
pids+=($!)

# the researcher's side: a job every few seconds, an input blob nothing will reference, finished jobs dropped later
(
  n=0
  while true; do
    n=$((n + 1))
    curl -fs -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "{\"app\":\"checksum\",\"params\":{\"workUnits\":$work_units,\"rounds\":1},\"redundancy\":{\"quorum\":2}}" \
      "$api/api/v1/jobs" >/dev/null || true
    head -c "$blob_size" /dev/urandom | curl -fs -H "Authorization: Bearer $key" \
      -H 'Content-Type: application/octet-stream' --data-binary @- "$api/api/v1/blobs" >/dev/null || true
    if [ $((n % 12)) -eq 0 ]; then
      for id in $(sql "SELECT id FROM job WHERE deleted_at IS NULL AND finished_at < now() - interval '$(seconds "$delete_after") seconds'"); do
        curl -fs -X DELETE -H "Authorization: Bearer $key" "$api/api/v1/jobs/$id" >/dev/null || true
      done
    fi
    sleep "$job_every"
  done
) &
pids+=($!)

validated() {
  curl -fs -u "admin:$password" "$api/actuator/prometheus" \
    | awk '/^starling_workunits_validated_total/ {print int($2)}'
}
printf "| minute | load 1/5/15 | database | blob store | jobs (purged) | work units | replicas | blobs | validated/s | jobs purged |\n"
printf "|---|---|---|---|---|---|---|---|---|---|\n"
last=$(validated); last_t=$(date +%s)
for minute in $(seq 1 "$minutes"); do
  sleep 60
  now=$(date +%s); v=$(validated)
  rate=$(awk -v a="$last" -v b="$v" -v s="$((now - last_t))" 'BEGIN {printf "%.1f", (b - a) / s}')
  last=$v; last_t=$now
  load=$(awk '{print $1 "/" $2 "/" $3}' /proc/loadavg)
  db=$(sql "SELECT pg_size_pretty(pg_database_size('starling'))")
  store=$(du -sh "$dir/blobs" 2>/dev/null | cut -f1)
  jobs=$(sql "SELECT count(*) || ' (' || count(purged_at) || ')' FROM job")
  wus=$(sql "SELECT count(*) FROM work_unit"); results=$(sql "SELECT count(*) FROM result")
  blobs=$(sql "SELECT count(*) FROM blob")
  purged=$(grep -c "purged:" "$dir/coordinator.log" || true)
  printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$minute" "$load" "$db" "${store:-0}" "$jobs" "$wus" \
    "$results" "$blobs" "$rate" "$((purged - ${purged_before:-0}))"
  purged_before=$purged
done
grep -E "^(SWARM|CHECK)" "$dir/swarm.out" >&2 || true
echo "soak: $(grep -c 'ERROR' "$dir/coordinator.log" || true) ERROR lines in the coordinator's log" >&2
