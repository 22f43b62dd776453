import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoClusters } from '../../__fixtures__/clusters';
import { generateManifests } from '../generateManifests';
import { GenerateRequest } from '../types';

// A stand-in for curl that logs each call and answers from a script of
// licence types, and a sleep that returns at once: the Job's script runs
// as it would in its container, against a pretend Elasticsearch.
const FAKE_CURL = `#!/bin/bash
out=; method=GET; url=; body=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift ;;
    -X) method=$2; shift ;;
    --data-binary) body=$2; shift ;;
    -w|-u|-H) shift ;;
    -*) ;;
    *) url=$1 ;;
  esac
  shift
done
echo "$method $url \${body}" >> "$FAKE_DIR/calls"
if [ "\${url##*/}" = _license ]; then
  licence=$(head -n 1 "$FAKE_DIR/licences"); sed -i 1d "$FAKE_DIR/licences"
  echo "{\\"license\\":{\\"status\\":\\"active\\",\\"type\\":\\"\${licence:-trial}\\"}}" > "$out"
else
  echo '{"acknowledged":true}' > "$out"
fi
printf 200
`;

function jobScript(): { script: string; keys: string[] } {
  const request: GenerateRequest = {
    name: 'search-db',
    namespace: 'search',
    engine: 'elasticsearch',
    strategy: 'active-active',
    clusters: [
      { name: 'eu-central', role: 'active', weight: 40, replicas: 3 },
      { name: 'eu-west', role: 'active', weight: 30, replicas: 3 },
      { name: 'us-east', role: 'active', weight: 30, replicas: 1 },
    ],
    storage: { size: '20Gi' },
    routing: 'mcs',
    owner: 'group:default/search',
    elasticsearch: { licence: 'platinum', transportTlsSecret: 'tls' },
  };
  const job = generateManifests(request, demoClusters).objects.find(
    o => o.path === 'clusters/eu-central/ccr-setup-job.yaml',
  )!.object;
  const pod = (job.spec as any).template.spec;
  return {
    script: pod.containers[0].command[2],
    keys: pod.volumes[0].configMap.items.map((i: { key: string }) => i.key),
  };
}

describe('the CCR setup script', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccr-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'bodies'));
    fs.writeFileSync(path.join(dir, 'bin', 'curl'), FAKE_CURL, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'bin', 'sleep'), '#!/bin/sh\n', {
      mode: 0o755,
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('waits for a licence with CCR, then PUTs the remote clusters and every auto-follow pattern', () => {
    const { script, keys } = jobScript();
    for (const key of keys) {
      fs.writeFileSync(path.join(dir, 'bodies', key), '{}');
    }
    fs.writeFileSync(path.join(dir, 'licences'), 'basic\nplatinum\n');
    const run = spawnSync('/bin/bash', ['-c', script], {
      encoding: 'utf8',
      env: {
        PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
        FAKE_DIR: dir,
        ES_URL: 'http://search-db:9200',
        ELASTIC_PASSWORD: 'secret',
        CCR_BODIES: path.join(dir, 'bodies'),
      },
    });
    expect(run.status).toBe(0);
    const bodies = path.join(dir, 'bodies');
    expect(
      fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n'),
    ).toEqual([
      'GET http://search-db:9200/_license ',
      'GET http://search-db:9200/_license ',
      `PUT http://search-db:9200/_cluster/settings @${bodies}/remote-clusters.json`,
      `PUT http://search-db:9200/_ccr/auto_follow/search-db-from-eu-west @${bodies}/auto-follow.search-db-from-eu-west.json`,
      `PUT http://search-db:9200/_ccr/auto_follow/search-db-from-us-east @${bodies}/auto-follow.search-db-from-us-east.json`,
    ]);
    expect(run.stderr).toContain(
      'cross-cluster replication needs an active enterprise, platinum or trial licence',
    );
  });
});
