#!/usr/bin/env bash
# The fair-share figure (issue 18, docs/performance.md): a coordinator of its own on a fresh embedded PostgreSQL, two
# researchers with shares 3 and 1, each with a checksum job larger than the window can finish, and a swarm of
# simulated hosts. The work units validated for each job are counted in the database when the window opens and when
# it closes: their ratio should be 3:1. When the window opens, a third researcher (share 1) submits a small job: the
# script says when it finished (it must not wait for the big ones).
#   deploy/swarm/fair-share.sh [--hosts 200] [--window 60] [--work-units 300000] [--small 2000] [--keep]
# Needs the built jars (./mvnw -B -q -DskipTests package, or ./starling swarm once), curl, psql and python3.
set -euo pipefail

hosts=200 window=60 work_units=300000 small=2000 keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --work-units) work_units="$2"; shift 2 ;;
    --small) small="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "fair-share: unknown option '$1'" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
coordinator_jar="$root/coordinator/target/starling-coordinator.jar"
swarm_jar="$root/deploy/swarm/target/starling-swarm.jar"
for f in "$coordinator_jar" "$swarm_jar"; do
  [ -f "$f" ] || { echo "fair-share: $f is missing: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
done
for tool in psql curl python3; do
  command -v "$tool" >/dev/null || { echo "fair-share: $tool not found" >&2; exit 2; }
done
java=""  # Java 21 or later: $JAVA_HOME's, else the newest installed
for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java java; do
  v=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then java="$candidate"; break; fi
done
[ -n "$java" ] || { echo "fair-share: no Java 21 or later found (set JAVA_HOME)" >&2; exit 2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'; }

dir="$(mktemp -d /tmp/starling-fair-share-XXXXXX)"
http=$(free_port); grpc=$(free_port)
password="fair-$RANDOM$RANDOM"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = true ]; then echo "fair-share: kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT

STARLING_ADMIN_PASSWORD="$password" "$java" -Xmx1g -jar "$coordinator_jar" \
  --starling.data-dir="$dir" --server.port="$http" --spring.grpc.server.port="$grpc" \
  --starling.volunteers.sign-ups-per-address=0 >"$dir/coordinator.log" 2>&1 &
pids+=($!)
api="http://localhost:$http"
for _ in $(seq 1 180); do
  curl -fs "$api/actuator/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$api/actuator/health" >/dev/null || { echo "fair-share: the coordinator did not start; see $dir/coordinator.log" >&2; exit 1; }
pg_port=$(sed -n 4p "$dir/postgres/postmaster.pid")
sql() { psql -h localhost -p "$pg_port" -U postgres -d starling -At -c "$1"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

researcher() { # NAME SHARE: makes the researcher, sets their share, prints their key
  local key id
  key=$(curl -fs -u "admin:$password" -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" \
    "$api/api/v1/admin/researchers" | json "['key']")
  id=$(echo "$key" | cut -d_ -f2)
  curl -fs -u "admin:$password" -X PUT -H 'Content-Type: application/json' -d "{\"share\":$2}" \
    "$api/api/v1/admin/researchers/$id/quotas" >/dev/null
  echo "$key"
}
submit() { # KEY WORK_UNITS: submits a checksum job, prints its id
  curl -fs -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -d "{\"app\":\"checksum\",\"params\":{\"workUnits\":$2,\"rounds\":1},\"redundancy\":{\"quorum\":2}}" \
    "$api/api/v1/jobs" | json "['id']"
}
validated() { sql "SELECT count(*) FROM work_unit WHERE job_id = $1 AND state = 'VALIDATED'"; }

three=$(researcher share-three 3); one=$(researcher share-one 1); late=$(researcher small-job 1)
job3=$(submit "$three" "$work_units"); job1=$(submit "$one" "$work_units")
echo "fair-share: jobs $job3 (share 3) and $job1 (share 1) of $work_units work units each; splitting" >&2
until [ "$(sql "SELECT count(*) FROM job WHERE id IN ($job3, $job1) AND split_complete")" = 2 ]; do sleep 2; done

# the swarm's hosts sign up as volunteers (--api); its own figure counts the jobs the key sees
"$java" -jar "$swarm_jar" swarm --coordinator "localhost:$grpc" --api "$api" --api-key "$three" --hosts "$hosts" --warmup 5s \
  --duration "$((window + 20))s" --drain-timeout 1s >"$dir/swarm.out" 2>"$dir/swarm.err" &
pids+=($!)
sleep 10
a0=$(validated "$job3"); b0=$(validated "$job1")
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }
start=$(now)
small_job=$(submit "$late" "$small")
finished=""
while [ "$(calc "$(now) - $start < $window")" = True ]; do
  if [ -z "$finished" ] && [ "$(sql "SELECT state FROM job WHERE id = $small_job")" = SUCCEEDED ]; then
    finished=$(calc "round($(now) - $start, 1)")
  fi
  sleep 0.5
done
a1=$(validated "$job3"); b1=$(validated "$job1")
elapsed=$(calc "$(now) - $start")
a=$((a1 - a0)) b=$((b1 - b0))
echo "uptime: $(uptime)"
echo "window $(calc "round($elapsed, 1)") s, $hosts hosts: share 3 validated $a, share 1 validated $b," \
  "ratio $(calc "round($a / max($b, 1), 3)") (all: $(calc "round(($a + $b) / $elapsed)")/s)"
if [ -n "$finished" ]; then
  echo "small job of $small work units (share 1), submitted as the window opened: finished after $finished s"
else
  echo "small job of $small work units (share 1): not finished in the window ($(validated "$small_job") validated)"
fi
echo "left unsent: share 3 $(sql "SELECT count(*) FROM result WHERE job_id = $job3 AND state = 'UNSENT'")," \
  "share 1 $(sql "SELECT count(*) FROM result WHERE job_id = $job1 AND state = 'UNSENT'")"
