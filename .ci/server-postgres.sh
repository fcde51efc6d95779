#!/usr/bin/env bash
# The engine, API and fault suites against Debian's PostgreSQL server, as a DBA would set it up: a
# cluster of its own, and an application role `ops_app` that is NOT a superuser — it may create
# databases (each test file makes its own) and roles (the per-runbook roles of plugin containment).
# Run as root (CI is); `OPS_CI_PG_PORT` moves the cluster off port 54329.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pg_createcluster >/dev/null 2>&1; then
  echo "ci: Debian's PostgreSQL server is not installed (apt-get install postgresql); the suites against a server cannot run" >&2
  exit 1
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
port=${OPS_CI_PG_PORT:-54329}
cluster=ops_ci

# A cluster left by an earlier run is dropped: every run starts from an empty server.
if pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  pg_dropcluster --stop "$version" "$cluster"
fi
pg_createcluster "$version" "$cluster" -p "$port" \
  -o max_connections=300 -o fsync=off -o synchronous_commit=off -o full_page_writes=off >/dev/null
pg_ctlcluster "$version" "$cluster" start
trap 'pg_dropcluster --stop "$version" "$cluster" || true' EXIT

su postgres -c "psql -q -p $port -c \"CREATE ROLE ops_app LOGIN PASSWORD 'ops-ci' CREATEDB CREATEROLE NOSUPERUSER\""
url="postgres://ops_app:ops-ci@127.0.0.1:$port/postgres"
echo "ci: PostgreSQL $(psql "$url" -Atc 'SHOW server_version') server on port $port; role $(psql "$url" -Atc "SELECT rolname || CASE WHEN rolsuper THEN ' (superuser)' ELSE ' (not a superuser)' END FROM pg_roles WHERE rolname = current_user")"

DATABASE_URL="$url" npx vitest run test/engine test/api test/faults
