#!/usr/bin/env bash
# Two replicas of the production build behind a round-robin proxy, sharing
# PostgreSQL and Redis: builds the backend bundle (`yarn build:backend`),
# carries out packages/backend/Dockerfile's steps into data/replicas/image
# (scripts/replicas/dockerfile.mjs), starts the demo clusters, and runs
# scripts/replicas/replicas.spec.ts, which starts the replicas with the
# image's command and drives them through the proxy in Chromium.
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust or PGPASSWORD)
# and Redis on 127.0.0.1:6379; skipped with a message when they do not
# answer. REPLICAS_REUSE_IMAGE=1 keeps an image built before.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/chromium.sh
source "$ROOT/scripts/lib/chromium.sh"

log() { echo "› $*"; }
fail() {
  echo "The two-replica test cannot run: $*" >&2
  exit 1
}
reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if ! reachable 127.0.0.1 5432 || ! reachable 127.0.0.1 6379; then
  echo "› Two-replica test skipped: it needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379"
  echo "  (start both, e.g. 'sudo apt-get install postgresql redis-server', and run it again)"
  exit 0
fi
for port in 7100 7101 7102 9465 9466 16440 16443 16444 16445; do
  if reachable 127.0.0.1 "$port"; then
    fail "port $port is in use; stop the running portal or simulator first"
  fi
done
ensure_chromium
bash "$ROOT/packages/cluster-simulator/scripts/fetch-kubectl.sh"

WORK="$ROOT/data/replicas"
IMAGE="$WORK/image"
mkdir -p "$WORK"
if [ "${REPLICAS_REUSE_IMAGE:-}" != 1 ] || [ ! -f "$IMAGE/image.json" ]; then
  log "yarn build:backend (the bundle the image packages)"
  yarn build:backend >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; fail "yarn build:backend failed (log: ${WORK#"$ROOT"/}/build.log)"; }
  log "the image: packages/backend/Dockerfile's steps into ${IMAGE#"$ROOT"/}"
  node scripts/replicas/dockerfile.mjs packages/backend/Dockerfile . "$IMAGE" >"$WORK/image.log" 2>&1 ||
    { tail -40 "$WORK/image.log" >&2; fail "the Dockerfile's steps failed (log: ${WORK#"$ROOT"/}/image.log)"; }
  grep '^›' "$WORK/image.log" || true
fi

SIM="$WORK/simulator"
rm -rf "$SIM"
mkdir -p "$SIM"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
log "the demo clusters"
setsid yarn cluster-simulator --world examples/world/world.yaml \
  --kubeconfig "$SIM/kubeconfig" --app-config "$SIM/app-config.yaml" \
  --state-dir "$SIM/state" >"$SIM/log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -s "$SIM/app-config.yaml" ] && break; sleep 0.5; done
[ -s "$SIM/app-config.yaml" ] || { tail -40 "$SIM/log" >&2; fail "the cluster simulator did not start"; }

REPLICAS_IMAGE="$IMAGE/image.json" REPLICAS_WORK="$WORK" \
  yarn playwright test -c scripts/replicas/playwright.config.ts "$@"
