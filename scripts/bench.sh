#!/usr/bin/env bash
# The benchmark in one command on a fresh machine: installs what is missing (PostgreSQL,
# libclang), then times 1,000 and 10,000 tables (or the sizes given) on the system's
# PostgreSQL. The figures go to stdout as a markdown table (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "$#" -eq 0 ]; then set -- 1000 10000; fi
exec cargo bench --locked --bench engine -- "$@"
