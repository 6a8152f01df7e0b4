# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this
# Sourced by the scripts: where the project keeps what it downloads, with no root needed.
# PROFE_MIGRATE_CACHE, else $XDG_CACHE_HOME/profe-migrate, else ~/.cache/profe-migrate. It
# holds the Python virtual environment of the tools setup.sh installs (venv/) and, for an
# ordinary user, the PostgreSQL binaries of the test suites (pg-VERSION/, see
# pg-binaries.sh, which also honours PROFE_PG_CACHE and the older /var/cache/profe-migrate).
if [ -n "${PROFE_MIGRATE_CACHE:-}" ]; then
  profe_cache=$PROFE_MIGRATE_CACHE
elif [[ "${XDG_CACHE_HOME:-}" == /* ]]; then
  # The XDG specification ignores a relative value.
  profe_cache=$XDG_CACHE_HOME/profe-migrate
else
  profe_cache=${HOME:?neither PROFE_MIGRATE_CACHE nor HOME is set}/.cache/profe-migrate
fi
# The virtual environment of the Python tools (moto for the S3 backup tests): a stock
# Debian 12 or Ubuntu 24.04 refuses `pip install` into its system Python (PEP 668).
profe_venv=$profe_cache/venv
