#!/usr/bin/env bash
# The main job in one command: installs what is missing, builds, and runs profe-migrate
# with the given arguments. Without arguments it plans the project's desired state
# (schema/ and policies/, or a sample fixture until those exist) against an empty
# database, using the warm shadow server (started on first use, it stops itself after 10
# minutes without a run; `profe-migrate server stop` ends it, --no-warm-server avoids it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked --quiet
if [ $# -eq 0 ]; then
  if [ -d schema ]; then
    set -- plan --from empty
  else
    set -- plan --from empty --to fixtures/ordering/crossschema_fk_create/to.sql
  fi
fi
exec target/release/profe-migrate "$@"
