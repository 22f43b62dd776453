/*
 * The simulated PXC operator following the replication channels of the
 * demo's `payments` (eu-central the source, eu-west the replica) in the
 * servers themselves, read with `mysql` as `kubectl exec` runs it: the
 * replica site is read_only and its replication pod replicates from the
 * source's published host; turning the direction around in the specs, in
 * Percona's documented order, swaps the servers' roles, the lag record and
 * which site's clients write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isGtidSubset, parseGtidSet } from '../../../engines/mysql/gtid';
import { runCommand, type PeerDirectory } from '../../../engines/programs';
import type { RunningSimulator } from '../../../simulator';
import { eventually, startTestSimulator } from '../../../testing/testWorld';
import { SIM_LAG_SOURCE } from '../../metrics';
import type { KubeObject } from '../../types';
import { loadBalancerHostname } from '../shared';
import { PXC_API_VERSION, PXC_KIND } from './sites';
import { REPLICATION_POD_LABEL, siteIntentOf } from './pxcServers';

jest.setTimeout(60_000);

const NS = 'databases';
const CHANNEL = 'payments_eu_central_to_eu_west';
const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);

function demo(cluster: string): KubeObject[] {
  const file = path.join(
    repoRoot,
    'examples',
    'world',
    cluster,
    'payments-pxc.yaml',
  );
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(Boolean);
}

const hostsOf = (cluster: string) =>
  [0, 1, 2].map(i => ({
    host: loadBalancerHostname(cluster, NS, `payments-pxc-${i}`),
    port: 3306,
    weight: 100,
  }));

describe('siteIntentOf', () => {
  const cr = (channels: unknown) =>
    ({
      apiVersion: PXC_API_VERSION,
      kind: PXC_KIND,
      metadata: { name: 'p' },
      spec: { pxc: { replicationChannels: channels } },
    } as KubeObject);

  it('reads the first channel: a replica connects to its highest-weight source', () => {
    expect(siteIntentOf(cr(undefined))).toEqual({ replica: false });
    expect(siteIntentOf(cr([{ name: 'c', isSource: true }]))).toEqual({
      replica: false,
    });
    expect(
      siteIntentOf(
        cr([
          {
            name: 'c',
            isSource: false,
            sourcesList: [
              { host: 'a', weight: 50 },
              { host: 'b', port: 3307, weight: 100 },
              { host: 'c', weight: 100 },
            ],
          },
        ]),
      ),
    ).toEqual({
      replica: true,
      channel: 'c',
      source: { host: 'b', port: 3307 },
    });
  });
});

describe('the simulated PXC operator in the servers', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startTestSimulator({
      clusters: ['eu-central', 'eu-west'].map(name => ({
        name,
        region: `${name}-1`,
        operators: ['percona'],
        objects: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
          ...demo(name),
        ],
      })),
    });
  });

  afterAll(() => sim?.stop());

  const peers = (): PeerDirectory => ({
    store: name => sim.stores.get(name),
    reachable: () => true,
  });

  /** `kubectl exec payments-pxc-<i> -c pxc -- mysql -u<user> -N -e <sql>`. */
  async function mysql(cluster: string, sql: string, user = 'root', i = 0) {
    const store = sim.stores.get(cluster)!;
    const pod = store.peek('', 'Pod', NS, `payments-pxc-${i}`);
    if (!pod) throw new Error(`payments-pxc-${i} not in ${cluster} yet`);
    let stdout = '';
    let stderr = '';
    const code = await runCommand(
      ['mysql', `-u${user}`, '-N', '-e', sql],
      {
        store,
        pod,
        container: pod.spec.containers[0],
        now: Date.now,
        peers: peers(),
      },
      {
        stdout: t => {
          stdout += t;
        },
        stderr: t => {
          stderr += t;
        },
        stdin: async () => '',
      },
    );
    return { code, stdout, stderr };
  }

  const value = async (cluster: string, sql: string, i = 0) =>
    (await mysql(cluster, sql, 'root', i)).stdout.trim();

  function setChannel(cluster: string, channel: Record<string, unknown>) {
    const store = sim.stores.get(cluster)!;
    const cr = store.peek('pxc.percona.com', PXC_KIND, NS, 'payments')!;
    store.update({
      ...cr,
      spec: {
        ...cr.spec,
        pxc: { ...cr.spec.pxc, replicationChannels: [channel] },
      },
    });
  }

  const lagSource = (cluster: string) =>
    sim.stores.get(cluster)!.peek('apps', 'StatefulSet', NS, 'payments-pxc')
      ?.metadata.annotations?.[SIM_LAG_SOURCE];

  async function expectSource(source: string, replica: string) {
    const sourceHost = loadBalancerHostname(source, NS, 'payments-pxc-0');
    await eventually(
      async () =>
        (await value(replica, 'SELECT @@read_only')) === '1' &&
        (await value(source, 'SELECT @@read_only')) === '0' &&
        (
          await mysql(replica, 'SHOW REPLICA STATUS\\G')
        ).stdout.includes(` Source_Host: ${sourceHost}\n`) &&
        (await mysql(source, 'SHOW REPLICA STATUS')).stdout === '' &&
        lagSource(replica) === source &&
        lagSource(source) === undefined,
      30_000,
      100,
    );
    const status = (await mysql(replica, 'SHOW REPLICA STATUS\\G')).stdout;
    expect(status).toContain(` Channel_Name: ${CHANNEL}\n`);
    expect(status).toContain(' Replica_SQL_Running: Yes\n');
    // Every pod of the replica site is read_only, not just the channel's.
    expect(await value(replica, 'SELECT @@read_only', 1)).toBe('1');
    expect(await value(source, 'SELECT @@read_only', 1)).toBe('0');
    const replicaPod = sim.stores
      .get(replica)!
      .peek('', 'Pod', NS, 'payments-pxc-0')!;
    expect(replicaPod.metadata.labels?.[REPLICATION_POD_LABEL]).toBe('true');
    expect(
      (await mysql(source, 'INSERT INTO payments VALUES (1)', 'app')).code,
    ).toBe(0);
    const refused = await mysql(
      replica,
      'INSERT INTO payments VALUES (1)',
      'app',
    );
    expect(refused.stderr).toContain('ERROR 1290');
    // The replica has everything the source executed (no apply lag).
    const executed = await value(source, 'SELECT @@GLOBAL.gtid_executed');
    const replicated = await value(replica, 'SELECT @@GLOBAL.gtid_executed');
    expect(
      isGtidSubset(
        parseGtidSet(executed.replace(/\s+/g, '')),
        parseGtidSet(replicated.replace(/\s+/g, '')),
      ),
    ).toBe(true);
  }

  it('turns the replication around when the channels are flipped in order', async () => {
    await expectSource('eu-central', 'eu-west');

    // Percona's order: the old source becomes a replica of the new one
    // first (so there are never two sources), then the new one the source.
    setChannel('eu-central', {
      name: CHANNEL,
      isSource: false,
      sourcesList: hostsOf('eu-west'),
    });
    await eventually(
      async () => (await value('eu-central', 'SELECT @@read_only')) === '1',
      30_000,
      100,
    );
    expect(
      (await mysql('eu-central', 'INSERT INTO payments VALUES (1)', 'app'))
        .stderr,
    ).toContain('ERROR 1290');
    setChannel('eu-west', { name: CHANNEL, isSource: true });
    await expectSource('eu-west', 'eu-central');

    // And back.
    setChannel('eu-west', {
      name: CHANNEL,
      isSource: false,
      sourcesList: hostsOf('eu-central'),
    });
    setChannel('eu-central', { name: CHANNEL, isSource: true });
    await expectSource('eu-central', 'eu-west');
  });
});
