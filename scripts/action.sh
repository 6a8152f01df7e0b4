#!/usr/bin/env bash
# The steps of the composite GitHub Action (action.yml at the repository's root):
#
#   action.sh fingerprint   prints fingerprint=<hash of the source> to $GITHUB_OUTPUT (the
#                           cache key of the built binary)
#   action.sh install       builds profe-migrate from the action's source unless the cache
#                           holds it, and puts it on $GITHUB_PATH
#   action.sh run           runs one command with the INPUT_* variables action.yml sets;
#                           writes exit-code and plan-markdown-path to $GITHUB_OUTPUT
#
# The inputs arrive as variables, never spliced into this text, so a secret or a branch
# name cannot inject shell. tests/engine/examples.rs runs `run` against real databases.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root="$HOME/.cache/profe-migrate-action"
output=${GITHUB_OUTPUT:-/dev/null}

fingerprint() {
  local hash
  hash=$(cd "$here" && find Cargo.toml Cargo.lock src -type f -print0 | sort -z \
    | xargs -0 sha256sum | sha256sum | cut -c1-32)
  echo "fingerprint=$hash" >>"$output"
}

install() {
  set -e
  if [ ! -x "$root/bin/profe-migrate" ]; then
    # pg_query's bindings need libclang; the embedded shadow database needs a server.
    local need=()
    ldconfig -p 2>/dev/null | grep -q 'libclang\(-[0-9.]*\)\?\.so' || need+=(libclang-dev)
    ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
    if [ ${#need[@]} -gt 0 ]; then
      local sudo=""
      [ "$(id -u)" -ne 0 ] && sudo=sudo
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    cargo install --locked --quiet --path "$here" --root "$root"
  fi
  echo "$root/bin" >>"${GITHUB_PATH:-/dev/null}"
  "$root/bin/profe-migrate" --version
}

run() {
  local command=${INPUT_COMMAND:-plan}
  local dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
  local md="$dir/profe-migrate-$command.md" log="$dir/profe-migrate-$command.log"
  rm -f "$md"
  local args=()
  [ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
  [ -n "${INPUT_ENVIRONMENT:-}" ] && args+=(--environment "$INPUT_ENVIRONMENT")
  # A CI job runs once: each run starts a throwaway shadow server, none is left running
  # for the runner to kill as an orphan when the job ends (the workflow may say otherwise).
  export PROFE_MIGRATE_NO_WARM_SERVER=${PROFE_MIGRATE_NO_WARM_SERVER:-1}
  # The URL goes through the environment: a command line is visible to every process.
  [ -n "${INPUT_DATABASE_URL:-}" ] && export DATABASE_URL="$INPUT_DATABASE_URL"
  # An empty variable would be taken as a storage path: unset means the default.
  if [ -n "${INPUT_BACKUP_STORAGE:-}" ]; then
    export MIGRATION_SERVICE_BACKUP_STORAGE="$INPUT_BACKUP_STORAGE"
  elif [ -z "${MIGRATION_SERVICE_BACKUP_STORAGE:-}" ]; then
    unset MIGRATION_SERVICE_BACKUP_STORAGE
  fi
  local to=()
  [ -n "${INPUT_TO:-}" ] && to=(--to "$INPUT_TO")
  case "$command" in
    plan) args+=(plan "${to[@]}" --format markdown --out "$md") ;;
    drift) args+=(drift "${to[@]}" --format markdown) ;;
    apply)
      args+=(apply "${to[@]}" --yes)
      [ -n "${INPUT_ALLOW_HAZARDS:-}" ] && args+=(--allow-hazards "$INPUT_ALLOW_HAZARDS")
      [ "${INPUT_NO_BACKUP:-false}" = true ] && args+=(--no-backup)
      ;;
    *)
      echo "::error::command must be plan, drift or apply, not '$command'"
      echo "exit-code=64" >>"$output"
      return 64
      ;;
  esac

  echo "profe-migrate ${args[*]}"
  local code
  # stdout is the report (drift's Markdown, apply's steps); stderr stays in the log only.
  profe-migrate "${args[@]}" >"$log.out" 2>"$log"
  code=$?
  cat "$log.out" "$log"
  case "$command" in
    drift) cp "$log.out" "$md" ;;
    apply)
      {
        echo "## profe-migrate apply"
        echo
        echo "Exit code $code."
        echo
        echo '```'
        cat "$log.out" "$log"
        echo '```'
      } >"$md"
      ;;
    plan)
      # A plan that failed writes no file: the error stands in its place.
      if [ ! -f "$md" ]; then
        {
          echo "## profe-migrate plan"
          echo
          echo "Failed (exit $code):"
          echo
          echo '```'
          cat "$log"
          echo '```'
        } >"$md"
      fi
      ;;
  esac
  rm -f "$log.out"
  [ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$md" >>"$GITHUB_STEP_SUMMARY"
  {
    echo "exit-code=$code"
    echo "plan-markdown-path=$md"
  } >>"$output"
  if [ "$code" -eq 2 ] && [ "$command" = drift ] && [ "${INPUT_FAIL_ON_DRIFT:-false}" != true ]; then
    echo "::warning::the database differs from the desired state (exit 2)"
    return 0
  fi
  [ "$code" -eq 0 ] || echo "::error::profe-migrate $command exited $code"
  return "$code"
}

case "${1:-}" in
  fingerprint) fingerprint ;;
  install) install ;;
  run) run ;;
  *) echo "usage: $0 fingerprint|install|run" >&2; exit 64 ;;
esac
