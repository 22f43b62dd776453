#!/usr/bin/env bash
# Starts the simulated demo clusters and the portal (frontend on :3000,
# backend on :7007). Called by `npm start` once the toolchain is in place; the
# simulator stops with the portal.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIM_DIR="$ROOT/data/simulator"
WORLD="${WORLD:-$ROOT/examples/world/world.yaml}"
# What the demo clusters hold survives a restart; the browser tests start
# from the world as written (SIM_STATE_DIR under their own data/e2e).
SIM_STATE_DIR="${SIM_STATE_DIR:-$SIM_DIR/state}"
mkdir -p "$SIM_DIR"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

configs=(--config "$ROOT/app-config.yaml")
if [ -f "$WORLD" ] && [ -f "$ROOT/packages/cluster-simulator/src/cli.ts" ]; then
  echo "› Starting the demo clusters from ${WORLD#"$ROOT"/}"
  rm -f "$SIM_DIR/app-config.yaml"
  setsid yarn cluster-simulator --world "$WORLD" \
    --kubeconfig "$SIM_DIR/kubeconfig" \
    --app-config "$SIM_DIR/app-config.yaml" \
    --state-dir "$SIM_STATE_DIR" &
  pids+=($!)
  for _ in $(seq 1 120); do
    [ -s "$SIM_DIR/app-config.yaml" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "The cluster simulator exited; see its output above." >&2; exit 1; }
    sleep 0.5
  done
  [ -s "$SIM_DIR/app-config.yaml" ] || { echo "The cluster simulator did not start within 60 s." >&2; exit 1; }
  configs+=(--config "$SIM_DIR/app-config.yaml")
  echo "› kubectl: export KUBECONFIG=$SIM_DIR/kubeconfig"
  # Replication lag from Prometheus when one is installed (the demo falls
  # back to the lag annotations otherwise); PORTAL_PROMETHEUS=0 turns it off.
  if [ "${PORTAL_PROMETHEUS:-1}" != 0 ] &&
    fragment=$(bash "$ROOT/scripts/demo-prometheus.sh" "$SIM_DIR/app-config.yaml" "$ROOT/data/prometheus"); then
    pids+=("$(cat "$ROOT/data/prometheus/pid")")
    configs+=(--config "$fragment")
    echo "› Replication lag from Prometheus: $(sed -n 's/ *url: //p' "$fragment")"
  fi
fi
for extra in ${PORTAL_EXTRA_CONFIG:-}; do configs+=(--config "$extra"); done

if [ "${PORTAL_BUILT_APP:-}" = 1 ]; then
  # A production build of the app served by the backend on :7007, as the
  # browser tests use it (no development-only React warnings in the console).
  echo "› Building the app"
  yarn workspace app build >/dev/null
  echo "› Starting the portal: http://localhost:7007 (metrics http://localhost:9464/metrics)"
  # Run the backend from source without the development file watcher, so a
  # file written during a test run never restarts it.
  (cd "$ROOT/packages/backend" && NODE_ENV=${NODE_ENV:-development} \
    ESBK_TSCONFIG_PATH="$ROOT/tsconfig.json" exec setsid node --enable-source-maps \
    --require "$ROOT/packages/backend/src/instrumentation.js" \
    --require "$(node -p 'require.resolve("@backstage/cli-node/config/nodeTransform.cjs")')" \
    src/index.ts "${configs[@]}") &
else
  echo "› Starting the portal: http://localhost:3000 (backend http://localhost:7007, metrics http://localhost:9464/metrics)"
  setsid yarn backstage-cli repo start --require "$ROOT/packages/backend/src/instrumentation.js" "${configs[@]}" &
fi
pids+=($!)
wait "${pids[-1]}"
