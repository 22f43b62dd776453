#!/usr/bin/env bash
# The whole test suite, as `npm test` and CI run it: type check, lint,
# formatting, unit and integration tests (with PostgreSQL and Redis where they
# are reachable on 127.0.0.1), then the browser tests in Chromium against the
# running portal and demo clusters, and the adoption test (a fresh app from
# @backstage/create-app with the packed packages, as the README installs them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

step() {
  local name=$1
  shift
  local start=$SECONDS
  printf '\n\033[1m━━ %s\033[0m\n' "$name"
  "$@"
  printf '\033[1m━━ %s: done in %ss\033[0m\n' "$name" $((SECONDS - start))
}

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

export CI=${CI:-true}
export BACKSTAGE_TEST_DISABLE_DOCKER=1
if reachable 127.0.0.1 5432; then
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432}
else
  echo "› PostgreSQL is not reachable on 127.0.0.1:5432: database tests run on SQLite only"
fi
if reachable 127.0.0.1 6379; then
  export BACKSTAGE_TEST_CACHE_REDIS7_CONNECTION_STRING=${BACKSTAGE_TEST_CACHE_REDIS7_CONNECTION_STRING:-redis://127.0.0.1:6379}
else
  echo "› Redis is not reachable on 127.0.0.1:6379: cache tests run on the memory store only"
fi

# The Prometheus lag source is tested against Debian's Prometheus; in CI its
# test fails rather than skips when the binary is missing, so install it here.
install_prometheus() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! command -v apt-get >/dev/null || { [ -n "$sudo" ] && ! command -v sudo >/dev/null; }; then
    echo "The lag source tests need Prometheus: run 'sudo apt-get install prometheus' or set PROMETHEUS_PATH." >&2
    exit 1
  fi
  echo "› Installing Debian's prometheus for the lag source tests"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The tests start their own Prometheus on a free port; a packaged daemon
  # that the install started would only hold :9090.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
  elif command -v service >/dev/null && service prometheus status >/dev/null 2>&1; then
    $sudo service prometheus stop >/dev/null 2>&1 || true
  fi
}
if [ -z "${PROMETHEUS_PATH:-}" ] && [ ! -x /usr/bin/prometheus ]; then
  install_prometheus
fi

# The simulator's conformance test with the official Kubernetes Python client
# uses Debian's package; here it must run, not skip, when the client is missing.
has_python_kubernetes() {
  python3 -c 'import kubernetes' 2>/dev/null || /usr/bin/python3 -c 'import kubernetes' 2>/dev/null
}
install_python_kubernetes() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! command -v apt-get >/dev/null || { [ -n "$sudo" ] && ! command -v sudo >/dev/null; }; then
    echo "The simulator's Python client test needs the official client: run 'sudo apt-get install python3-kubernetes' or set SIM_PYTHON to a python that has it." >&2
    return
  fi
  echo "› Installing Debian's python3-kubernetes for the simulator's Python client test"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-kubernetes >/dev/null
}
if [ -z "${SIM_PYTHON:-}" ] && ! has_python_kubernetes; then
  install_python_kubernetes
fi
export SIM_REQUIRE_PYTHON_CLIENT=1

step "Type check" yarn tsc
step "Lint" yarn backstage-cli repo lint
step "Published declarations" bash "$ROOT/scripts/check-declarations.sh" --keep-dist
step "Formatting" yarn prettier --check .
step "Unit and integration tests" yarn backstage-cli repo test
step "Browser tests" bash "$ROOT/scripts/e2e.sh"
step "Two replicas (production image, PostgreSQL, Redis)" bash "$ROOT/scripts/replicas.sh"
step "Adoption test (a fresh app with the packages)" bash "$ROOT/scripts/adoption.sh"
