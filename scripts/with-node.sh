#!/usr/bin/env bash
# Runs a command with the project's Node runtime (the version in .node-version, Node 24 LTS) first on PATH,
# installing it into the cache on first use. npm itself may run on an older Node; everything the npm scripts
# start goes through here, so `tsc`, `eslint`, `vitest`, `tsx` and `node` (whose bins start with
# `#!/usr/bin/env node`) and every process they spawn through `node` or `process.execPath` run on this runtime.
#   bash scripts/with-node.sh node dist/src/main.js
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(cat "$root/.node-version")"
runtime="${SONGBIRD_CACHE:-$HOME/.cache/songbird}/node/$version/bin"
# The install moves a complete runtime into place, so its presence is enough (no lock, no version run).
[ -x "$runtime/node" ] || bash "$root/scripts/install-toolchain.sh" node >&2
export PATH="$runtime:$PATH"
exec "$@"
