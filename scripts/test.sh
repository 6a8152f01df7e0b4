#!/usr/bin/env bash
# The test command: installs what is missing, then runs the whole suite on the system's
# PostgreSQL and the fixture/integration and model suites again on the oldest and newest supported
# majors (14 and 18).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --tests --locked
cargo test --locked
for major in 14 18; do
  bin=$(scripts/pg-binaries.sh "$major")
  echo "== PostgreSQL $major ($bin)"
  PG_BIN="$bin" cargo test --locked --test engine --test model
done
