#!/usr/bin/env bash
# Type-checks the published declarations (dist/*.d.ts) of every publishable
# package the way an adopter's app sees them: a consumer file that imports each
# entry point, compiled with skipLibCheck off. The repository's own `yarn tsc`
# checks sources, not the rolled-up declarations, so errors that only appear in
# dist/index.d.ts (e.g. an action output type that is not JSON) slip through it.
#
# Usage: scripts/check-declarations.sh [--keep-dist]
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"

PACKAGES=(
  statefulsets-crds
  statefulsets-common
  statefulsets-node
  statefulsets-backend
  statefulsets
  scaffolder-backend-module-statefulsets
  catalog-backend-module-statefulsets
)

KEEP_DIST=false
[ "${1:-}" = "--keep-dist" ] && KEEP_DIST=true

# The packages name the Backstage release they are built for, and each
# @backstage/* range starts at that release's version (the root resolutions
# pin them), so an app on that release deduplicates them.
echo "check-declarations: @backstage/* ranges against backstage.json's release"
node - "${PACKAGES[@]}" <<'NODE'
const release = require('./backstage.json').version;
const pins = require('./package.json').resolutions ?? {};
const problems = [];
for (const p of process.argv.slice(2)) {
  const pkg = require(`./plugins/${p}/package.json`);
  const usesBackstage = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
    .some(name => name.startsWith('@backstage/'));
  if (usesBackstage && pkg.backstage?.['supported-versions'] !== release) {
    problems.push(`plugins/${p}: set backstage["supported-versions"] to "${release}"`);
  }
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (!name.startsWith('@backstage/') || !pins[name]) continue;
      if (range.replace(/^[~^]/, '') !== pins[name]) {
        problems.push(`plugins/${p}: ${field} ${name} is "${range}", the release has ${pins[name]}; use "^${pins[name]}"`);
      }
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
NODE

# backstage-cli package build rolls up declarations from dist-types/, which
# the root tsc writes.
echo "check-declarations: yarn tsc (writes dist-types/)"
# tsc writes dist-types/ even when some source fails to type-check; those
# errors are the Type check step's to report, this script checks what ships.
if ! yarn tsc >/dev/null; then
  echo "check-declarations: yarn tsc reports errors in sources (run it to see them); checking the declarations it wrote"
fi

# Only dist/ folders this script creates are removed afterwards.
BUILT=()
for p in "${PACKAGES[@]}"; do
  [ -e "plugins/$p/dist" ] || BUILT+=("plugins/$p/dist")
done
WORK="$(mktemp -d "$ROOT/.check-declarations.XXXXXX")"
cleanup() {
  rm -rf "$WORK"
  if [ "$KEEP_DIST" = false ]; then
    for d in "${BUILT[@]}"; do rm -rf "$d"; done
  fi
}
trap cleanup EXIT

paths=""
imports=""
i=0
for p in "${PACKAGES[@]}"; do
  echo "check-declarations: building plugins/$p"
  (cd "plugins/$p" && yarn backstage-cli package build >/dev/null)
  name="$(node -p "require('./plugins/$p/package.json').name")"
  # One import per declared entry point: index plus subpaths such as /alpha.
  for dts in "plugins/$p"/dist/*.d.ts; do
    entry="$(basename "$dts" .d.ts)"
    spec="$name"
    [ "$entry" = index ] || spec="$name/$entry"
    paths+="\"$spec\": [\"$ROOT/$dts\"],"
    imports+="import * as m$i from '$spec';"$'\n'"export const use$i = Object.keys(m$i);"$'\n'
    i=$((i + 1))
  done
done

printf '%s' "$imports" >"$WORK/consumer.ts"
# Settings of a fresh Backstage app's tsconfig, with library checks turned on.
cat >"$WORK/tsconfig.json" <<JSON
{
  "extends": "@backstage/cli/config/tsconfig.json",
  "files": ["consumer.ts"],
  "compilerOptions": {
    "noEmit": true,
    "skipLibCheck": false,
    "baseUrl": ".",
    "paths": { ${paths%,} }
  }
}
JSON

echo "check-declarations: type-checking $i entry points with skipLibCheck: false"
if ! yarn tsc -p "$WORK/tsconfig.json"; then
  echo "check-declarations: an adopter's tsc rejects the declarations above;" \
    "fix the exported types in the named package (dist/*.d.ts is built from src/)" >&2
  exit 1
fi
echo "check-declarations: ok"
