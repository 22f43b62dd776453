#!/usr/bin/env bash
# Starts a Prometheus that scrapes every demo cluster's /metrics, and writes
# the app-config fragment that makes the portal read replication lag from it.
# Used by scripts/portal.sh when a prometheus binary is installed
# (PROMETHEUS_PATH, or `prometheus` on the PATH); prints the fragment's path.
# Usage: demo-prometheus.sh <simulator app-config.yaml> <state dir>
set -euo pipefail

SIM_CONFIG=$1
DIR=$2
PROMETHEUS=${PROMETHEUS_PATH:-$(command -v prometheus || true)}
[ -x "$PROMETHEUS" ] || exit 3
mkdir -p "$DIR/data"

# The clusters' host:port, from the simulator's app-config fragment.
targets=$(node -e '
  const yaml = require("yaml");
  const fs = require("fs");
  const config = yaml.parse(fs.readFileSync(process.argv[1], "utf8"));
  const clusters = config.kubernetes.clusterLocatorMethods.flatMap(m => m.clusters ?? []);
  console.log(JSON.stringify(clusters.map(c => new URL(c.url).host)));
' "$SIM_CONFIG")

port=9090
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

cat >"$DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: demo-clusters
    static_configs:
      - targets: $targets
YAML
cat >"$DIR/app-config.yaml" <<YAML
multiclusterStatefulsets:
  prometheus:
    url: http://127.0.0.1:$port
YAML

setsid "$PROMETHEUS" --config.file="$DIR/prometheus.yml" \
  --storage.tsdb.path="$DIR/data" --storage.tsdb.retention.time=1d \
  --web.listen-address="127.0.0.1:$port" --log.level=warn \
  >"$DIR/prometheus.log" 2>&1 &
echo "$!" >"$DIR/pid"
for _ in $(seq 1 60); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "$DIR/app-config.yaml"
    exit 0
  fi
  kill -0 "$(cat "$DIR/pid")" 2>/dev/null || break
  sleep 0.5
done
echo "Prometheus did not start; see $DIR/prometheus.log" >&2
exit 1
