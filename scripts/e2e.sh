#!/usr/bin/env bash
# Browser tests: starts the demo clusters and the portal as `npm start` does,
# but with a production build of the app served by the backend; waits until both answer, runs the Playwright suite in Debian's Chromium
# and stops everything again.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# shellcheck source=lib/chromium.sh
source "$ROOT/scripts/lib/chromium.sh"
ensure_chromium

for port in 7007; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use; stop the running portal before the browser tests." >&2
    exit 1
  fi
done

# The browser tests read the clusters with a real kubectl.
bash "$ROOT/packages/cluster-simulator/scripts/fetch-kubectl.sh"

log="$ROOT/data/e2e-portal.log"
mkdir -p "$ROOT/data"
# The portal's databases for the browser tests (e2e/app-config.yaml) start empty.
rm -rf "$ROOT/data/e2e"
# So do the clusters: a failover left over from an earlier run would change
# which cluster the tests find active.
SIM_STATE_DIR="$ROOT/data/e2e/simulator-state" \
  PORTAL_BUILT_APP=1 PORTAL_EXTRA_CONFIG="$ROOT/e2e/app-config.yaml" \
  setsid bash "$ROOT/scripts/portal.sh" >"$log" 2>&1 &
portal=$!
stop() {
  kill -TERM "-$portal" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$portal" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "-$portal" 2>/dev/null || true
}
trap stop EXIT

wait_for() {
  local url=$1 deadline=$((SECONDS + 240))
  until curl -fs -o /dev/null "$url"; do
    if ! kill -0 "$portal" 2>/dev/null; then
      echo "The portal exited while starting; its log:" >&2
      tail -50 "$log" >&2
      exit 1
    fi
    if [ $SECONDS -gt $deadline ]; then
      echo "$url did not answer within 240 s; the portal's log:" >&2
      tail -50 "$log" >&2
      exit 1
    fi
    sleep 1
  done
}
echo "› Waiting for the portal (log: ${log#"$ROOT"/})"
wait_for http://localhost:7007/.backstage/health/v1/readiness
wait_for http://localhost:7007/
# The portal reads replication lag from Prometheus when one is installed.
if grep -q "Replication lag from Prometheus" "$log"; then export E2E_PROMETHEUS=1; fi
yarn playwright test "$@"
