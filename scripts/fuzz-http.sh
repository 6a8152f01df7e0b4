#!/usr/bin/env bash
# Fuzzes the HTTP service from its own OpenAPI document with schemathesis (every check:
# no 5xx, statuses and bodies as documented, invalid input refused).
#   scripts/fuzz-http.sh postgres:///scratch?host=/tmp   # a throwaway database: runs apply!
# The database should hold the Profe model (profe-migrate apply --to schema/ first).
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?usage: scripts/fuzz-http.sh DATABASE_URL (a throwaway database)}
# shellcheck source=scripts/cache.sh
. scripts/cache.sh
venv=${FUZZ_VENV:-$profe_cache/fuzz-venv}
[ -x "$venv/bin/schemathesis" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis; }
cargo build --quiet --locked
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=${FUZZ_PORT:-3919}
MIGRATION_SERVICE_TOKEN=$token MIGRATION_SERVICE_MASTER_DB_URL=$url \
  target/debug/profe-migrate serve --no-backup --port "$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.2; done
curl -sf -H "Authorization: Bearer $token" "localhost:$port/api/openapi.json" > /tmp/profe-openapi.json
"$venv/bin/schemathesis" run /tmp/profe-openapi.json --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" --checks all --max-examples "${FUZZ_EXAMPLES:-50}"
