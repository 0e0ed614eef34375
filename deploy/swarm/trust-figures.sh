#!/usr/bin/env bash
# The swarm figures of adaptive replication and spot checks (docs/performance.md): a coordinator with a database of
# its own in a temporary folder, one swarm job, then trust-figures.sql against the coordinator's PostgreSQL.
#   deploy/swarm/trust-figures.sh HOSTS WORK_UNITS TURNCOAT_FRACTION [coordinator options, e.g.
#       --starling.adaptive-replication.enabled=false]
#   SWARM_OPTS: more swarm options, e.g. SWARM_OPTS="--deployed --collude pairs --collude-fraction 0.1" (colluders:
#   the swarm's OUTCOME line counts their wrong canonical outputs; the SQL counts only the checksum app's)
# Figures of the first tenth of the work units are left out of results per work unit (hosts earning trust).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
hosts=$1 units=$2 turncoats=$3
shift 3
dir=$(mktemp -d /tmp/starling-trust.XXXXXX)
http=$((20000 + RANDOM % 20000))
grpc=$((http + 1))
STARLING_ADMIN_PASSWORD=trust-secret "$root/starling" coordinator --starling.data-dir="$dir" --server.port=$http \
    --spring.grpc.server.port=$grpc --starling.volunteers.sign-ups-per-address=0 "$@" >"$dir/coordinator.log" 2>&1 &
coordinator=$!
# KEEP=1 keeps the folder (database, logs) for a closer look
trap 'kill $coordinator 2>/dev/null; wait $coordinator 2>/dev/null; [ "${KEEP:-}" = 1 ] || rm -rf "$dir"' EXIT
until curl -sf "http://localhost:$http/actuator/health" >/dev/null; do
    kill -0 $coordinator 2>/dev/null || { tail -30 "$dir/coordinator.log"; exit 1; }
    sleep 1
done
key=$(curl -sf -u admin:trust-secret -H 'Content-Type: application/json' -d '{"name":"trust"}' \
    "http://localhost:$http/api/v1/admin/researchers" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
echo "uptime before: $(uptime)"
"$root/starling" swarm --coordinator localhost:$grpc --api http://localhost:$http --api-key "$key" --hosts "$hosts" \
    --submit "$units" --turncoat-fraction "$turncoats" --warmup 5s --duration 20s ${SWARM_OPTS:-} \
    2>"$dir/swarm.err" || true
echo "uptime after: $(uptime)"
grep -E "submitted job|starting" "$dir/swarm.err" || true
job=$(sed -n 's/^swarm: submitted job \([0-9]*\):.*/\1/p' "$dir/swarm.err" | head -1)
sleep 3 # the re-checker's last sweep
echo "folder: $dir"
psql -h localhost -p "$(sed -n 4p "$dir/postgres/postmaster.pid")" -U postgres -d starling -v job="$job" \
    -v from=$((units / 10)) -f "$root/deploy/swarm/trust-figures.sql"
