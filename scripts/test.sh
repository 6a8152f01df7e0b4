#!/usr/bin/env bash
# The test command: installs what is missing, then runs the whole suite on the system's
# PostgreSQL and the fixture/integration and model suites again on the oldest and newest supported
# majors (14 and 18). Those passes skip the tests of the command line, connections, TLS,
# crash handling and input checks, which do not depend on the server's version, and leave
# the engine's pg_dump check out of the fixtures (their oracle still compares dumps); they
# load every desired state and copy over three connections at once, however small
# (src/source/schedule.rs), where a statement failing at once but not in order fails the
# test rather than falling back to one connection.
set -euo pipefail
export PROFE_MIGRATE_LOAD_STRICT=1
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --tests --locked
cargo test --locked
for major in 14 18; do
  bin=$(scripts/pg-binaries.sh "$major")
  echo "== PostgreSQL $major ($bin)"
  PROFE_MIGRATE_LOAD_CONNECTIONS=3 PROFE_TEST_NO_DUMP_CHECK=1 PG_BIN="$bin" cargo test --locked --test engine --test model -- \
    --skip cli:: --skip connections:: --skip tls:: --skip crashes:: --skip inputs:: \
    --skip errors::
done
