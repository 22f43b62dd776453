#!/usr/bin/env bash
# The adoption test: the plugins installed into a team's existing Backstage
# app, the way the README's "Install into your app" section says.
#
#  1. builds and packs the publishable packages (yarn pack), and serves the
#     tarballs from a local npm registry for the @multicluster scope only;
#  2. creates a fresh app with @backstage/create-app of the release in
#     backstage.json (everything else comes from the configured registry);
#  3. applies the README section's blocks to it (scripts/adoption/apply-readme.mjs);
#  4. type-checks it with skipLibCheck off (the app's own `yarn tsc:full`);
#  5. starts it in development mode (`yarn start`) against two simulated
#     clusters, and runs scripts/adoption/adoption.spec.ts in Chromium: sign in,
#     a database's Multi-cluster tab, a failover plan, the template — failing
#     on any console error.
#
# Work files go to data/adoption (the app is created anew each run). Yarn's
# global cache (~/.yarn/berry/cache) is shared with the repository's own
# install, so a second run downloads nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK="$ROOT/data/adoption"
APP="$WORK/app"
RELEASE=$(node -p "require('./backstage.json').version")
# @backstage/create-app of that release (its template's backstage.json says
# which release it creates; checked after creation).
CREATE_APP_VERSION=0.9.2
PACKAGES=(
  statefulsets-crds
  statefulsets-common
  statefulsets-node
  statefulsets-backend
  statefulsets
  scaffolder-backend-module-statefulsets
  catalog-backend-module-statefulsets
)

log() { printf '› adoption: %s\n' "$*"; }
fail() {
  printf 'adoption: %s\n' "$*" >&2
  exit 1
}

for port in 3000 7007 16440 16443 16444; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is in use; stop the running portal or simulator before the adoption test"
  fi
done
# shellcheck source=lib/chromium.sh
source "$ROOT/scripts/lib/chromium.sh"
ensure_chromium

# ADOPTION_REUSE_APP=1 starts the app of the previous run again (steps 1-4
# skipped), for working on the browser test.
REUSE=false
if [ "${ADOPTION_REUSE_APP:-}" = 1 ] && [ -d "$APP/node_modules" ]; then
  REUSE=true
else
  rm -rf "$WORK"
fi
mkdir -p "$WORK/packages"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL "-$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

if [ "$REUSE" = false ]; then
# 1. Pack
log "building and packing ${#PACKAGES[@]} packages"
yarn tsc >/dev/null || fail "yarn tsc fails in the repository; fix the sources first"
for p in "${PACKAGES[@]}"; do
  # dist/ is rebuilt unless it is newer than every source file (the
  # declarations check before this test leaves a fresh one).
  if [ ! -f "plugins/$p/dist/index.d.ts" ] ||
    [ -n "$(find "plugins/$p/src" "plugins/$p/package.json" -newer "plugins/$p/dist/index.d.ts" -print -quit)" ]; then
    (cd "plugins/$p" && yarn backstage-cli package build >/dev/null) || fail "building plugins/$p failed"
  fi
  (cd "plugins/$p" && yarn pack --out "$WORK/packages/%s-%v.tgz" >/dev/null) || fail "packing plugins/$p failed"
done
for tgz in "$WORK"/packages/*.tgz; do
  if tar -xzOf "$tgz" package/package.json |
    node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8")); process.exit("@multicluster/cluster-simulator" in { ...p.dependencies, ...p.peerDependencies } ? 0 : 1)'; then
    fail "$(basename "$tgz") depends on the cluster simulator at run time; published packages must not"
  fi
done
setsid node scripts/adoption/registry.mjs "$WORK/packages" "$WORK/registry-port" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$WORK/registry-port" ] && break; sleep 0.2; done
[ -s "$WORK/registry-port" ] || fail "the local registry did not start"
REGISTRY="http://localhost:$(cat "$WORK/registry-port")"

# 2. A fresh app
log "creating a fresh app with @backstage/create-app@$CREATE_APP_VERSION"
(cd "$WORK" && BACKSTAGE_APP_NAME=adopted-portal npx -y "@backstage/create-app@$CREATE_APP_VERSION" --path app --skip-install >"$WORK/create-app.log" 2>&1) ||
  { tail -30 "$WORK/create-app.log" >&2; fail "create-app failed; its log: data/adoption/create-app.log"; }
created=$(node -p "require('$APP/backstage.json').version")
[ "$created" = "$RELEASE" ] ||
  fail "create-app@$CREATE_APP_VERSION made a $created app, the packages are built for $RELEASE; set CREATE_APP_VERSION in scripts/adoption.sh"
# create-app pins a new app to its release with a yarn.lock seed it downloads
# from GitHub; offline that fails, and ^ ranges then pick up parts of later
# releases that the registry also serves (the app's own signals backend then
# fails to start). The release's versions, as the repository pins them in its
# resolutions, take the seed's place.
node -e '
  const fs = require("fs");
  const [repo, app] = process.argv.slice(1);
  const pins = require(repo).resolutions;
  const pkg = JSON.parse(fs.readFileSync(app, "utf8"));
  for (const [name, version] of Object.entries(pins)) {
    if (name.startsWith("@backstage/")) pkg.resolutions[name] = version;
  }
  fs.writeFileSync(app, JSON.stringify(pkg, null, 2) + "\n");
' "$ROOT/package.json" "$APP/package.json"
log "installing the app's dependencies"
# A fresh app has no lockfile yet: its first install writes one, also where
# CI=true makes Yarn's installs immutable by default.
(cd "$APP" && YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn install >"$WORK/install.log" 2>&1) ||
  { tail -30 "$WORK/install.log" >&2; fail "yarn install of the fresh app failed; its log: data/adoption/install.log"; }
# Where the packages come from: the local registry stands in for the public one.
(cd "$APP" && yarn config set npmScopes.multicluster.npmRegistryServer "$REGISTRY" >/dev/null &&
  yarn config set unsafeHttpWhitelist --json '["localhost"]' >/dev/null)

# 3. The README's steps
log "applying the README's 'Install into your app' section"
node scripts/adoption/apply-readme.mjs README.md "$APP"

# 4. Type check as an adopter's CI does
log "type-checking the app with skipLibCheck off"
(cd "$APP" && yarn tsc:full) || fail "the app does not type-check with the packages installed"
fi

# 5. Start it against simulated clusters and run the browser test
SIM="$WORK/simulator"
rm -rf "$SIM"
mkdir -p "$SIM"
setsid yarn cluster-simulator --world scripts/adoption/world.yaml \
  --app-config "$SIM/app-config.yaml" --state-dir "$SIM/state" >"$SIM/log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -s "$SIM/app-config.yaml" ] && break; sleep 0.5; done
[ -s "$SIM/app-config.yaml" ] || { cat "$SIM/log" >&2; fail "the cluster simulator did not start"; }

log "starting the app in development mode (log: data/adoption/app.log)"
(cd "$APP" && exec setsid yarn start --config "$PWD/app-config.yaml" --config "$SIM/app-config.yaml") >"$WORK/app.log" 2>&1 &
pids+=($!)
wait_for() {
  local url=$1 deadline=$((SECONDS + 300))
  until curl -fs -o /dev/null "$url"; do
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -40 "$WORK/app.log" >&2; fail "the app exited while starting"; }
    [ $SECONDS -lt $deadline ] || { tail -40 "$WORK/app.log" >&2; fail "$url did not answer within 300 s"; }
    sleep 1
  done
}
wait_for http://localhost:7007/.backstage/health/v1/readiness
wait_for http://localhost:3000/
log "browser test against http://localhost:3000"
ADOPTION_SIMULATOR_CONFIG="$SIM/app-config.yaml" \
  yarn playwright test -c scripts/adoption/playwright.config.ts
