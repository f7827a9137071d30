#!/usr/bin/env bash
# For developers working side by side in one checkout: build the app and a
# private binary under a lock (vite empties dist/ while it builds), then run
# the browser tests whose file names contain the arguments, e.g.
#   designer-ui/e2e/dev.sh inbox
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:-all}"
bin="/tmp/recoup-e2e-${name}/recoup"
mkdir -p "$(dirname "$bin")"
flock /tmp/recoup-ui-build.lock bash -c "cd designer-ui && npx vite build --logLevel warn && node -e \"require('fs').writeFileSync('dist/.gitkeep','')\" && cd .. && CGO_ENABLED=0 go build -o '$bin' ./cmd/recoup"
cd designer-ui && RECOUP_BIN="$bin" RECOUP_E2E_OUT="/tmp/recoup-e2e-${name}/out" node e2e/run.mjs "$@"
