/*
 * The Elasticsearch emulator on its own: the REST answers curl prints,
 * sequence numbers advancing with time on leader indices, followers
 * tracking their leader, and the pause → close → unfollow → open promotion
 * with Elasticsearch's checks and errors.
 */
import { CurlContext, esCurl } from './curl';
import {
  EsClusterState,
  EsHost,
  WRITE_INTERVAL_MS,
  maxSeqNoAt,
  newIndex,
} from './state';

let clock = 1_000_000;

/** Two clusters in memory; `leader` reaches `eu` through alias `leader`. */
function world() {
  const states = new Map<string, EsClusterState>();
  const down = new Set<string>();
  const hosts = new Map<string, EsHost>();
  const aliases = new Map<string, string>();
  const host = (name: string): EsHost => {
    const h: EsHost = {
      now: () => clock,
      nodeName: `${name}-0`,
      load: () => structuredClone(states.get(name)!),
      save: s => states.set(name, structuredClone(s)),
      remoteConnected: alias => {
        const to = aliases.get(`${name}/${alias}`);
        return !!to && !down.has(to) && !!states.get(name)!.remotes[alias];
      },
      leader: (alias, index) => {
        const to = aliases.get(`${name}/${alias}`);
        if (!to || down.has(to) || !states.get(name)!.remotes[alias])
          return {
            ok: false,
            type: 'connect_transport_exception',
            error: 'down',
          };
        const peer = hosts.get(to)!;
        const ix = peer.load().indices[index];
        if (!ix)
          return { ok: false, type: 'index_not_found_exception', error: index };
        return {
          ok: true,
          maxSeqNo: maxSeqNoAt(ix, peer, clock),
          uuid: ix.uuid,
        };
      },
    };
    hosts.set(name, h);
    return h;
  };
  const eu = host('eu');
  const us = host('us');
  states.set('eu', {
    clusterName: 'search-eu',
    clusterUuid: 'eu-uuid',
    remotes: {},
    indices: { products: newIndex('eu/products', clock) },
    autoFollow: {},
  });
  states.set('us', {
    clusterName: 'search-us',
    clusterUuid: 'us-uuid',
    remotes: { leader: { mode: 'proxy', proxyAddress: 'eu:9300' } },
    indices: {
      products: newIndex('us/products', clock, {
        remoteCluster: 'leader',
        leaderIndex: 'products',
        status: 'active',
      }),
    },
    autoFollow: {},
  });
  aliases.set('us/leader', 'eu');
  return { eu, us, down, states, aliases };
}

function ctxOf(host: EsHost, extra: Partial<CurlContext> = {}): CurlContext {
  return {
    host,
    ownNames: [host.nodeName],
    security: false,
    nodes: () => 3,
    readFile: () => undefined,
    home: '/usr/share/elasticsearch',
    ...extra,
  };
}

async function curl(ctx: CurlContext | EsHost, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await esCurl(
    args,
    {
      stdout: t => {
        stdout += t;
      },
      stderr: t => {
        stderr += t;
      },
      stdin: async () => '',
    },
    'load' in ctx ? ctxOf(ctx) : ctx,
  );
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

const req = (host: EsHost, method: string, path: string, body?: unknown) =>
  curl(
    host,
    '-s',
    '-X',
    method,
    `http://localhost:9200${path}`,
    ...(body !== undefined
      ? ['-H', 'Content-Type: application/json', '-d', JSON.stringify(body)]
      : []),
  );

beforeEach(() => {
  clock = 1_000_000;
});

describe('the Elasticsearch REST API through curl', () => {
  it('answers GET / and the cluster health', async () => {
    const { eu } = world();
    const root = (await curl(eu, '-s', 'localhost:9200/')).json();
    expect(root).toMatchObject({
      name: 'eu-0',
      cluster_name: 'search-eu',
      version: { number: '8.17.0' },
      tagline: 'You Know, for Search',
    });
    const health = (
      await curl(eu, '-s', 'localhost:9200/_cluster/health')
    ).json();
    expect(health).toMatchObject({ status: 'green', number_of_nodes: 3 });
  });

  it('advances a leader index two operations a second, a follower with it', async () => {
    const { eu, us } = world();
    clock += 10 * WRITE_INTERVAL_MS;
    const [row] = (
      await curl(eu, 'localhost:9200/_cat/indices?format=json')
    ).json();
    expect(row).toMatchObject({
      index: 'products',
      status: 'open',
      'docs.count': '10',
    });
    const stats = (await req(us, 'GET', '/products/_ccr/stats')).json();
    expect(stats.indices[0].shards[0]).toMatchObject({
      remote_cluster: 'leader',
      leader_index: 'products',
      leader_global_checkpoint: 9,
      follower_global_checkpoint: 9,
    });
    expect(stats.indices[0].total_global_checkpoint_lag).toBe(0);
  });

  it('refuses writes on a follower index with the following engine error', async () => {
    const { eu, us } = world();
    const accepted = await req(eu, 'POST', '/products/_doc', { name: 'x' });
    expect(accepted.json()).toMatchObject({ result: 'created', _seq_no: 0 });
    const refused = (
      await req(us, 'POST', '/products/_doc', { name: 'x' })
    ).json();
    expect(refused).toMatchObject({
      status: 403,
      error: {
        type: 'status_exception',
        reason:
          'a following engine does not accept operations without an assigned sequence number',
      },
    });
  });

  it('fences a leader with index.blocks.write, and the follower catches up', async () => {
    const { eu, us, down } = world();
    clock += 4 * WRITE_INTERVAL_MS;
    await req(eu, 'PUT', '/products/_settings', {
      index: { blocks: { write: true } },
    });
    clock += 20 * WRITE_INTERVAL_MS;
    const blocked = (await req(eu, 'POST', '/products/_doc', {})).json();
    expect(blocked.error.type).toBe('cluster_block_exception');
    expect(blocked.error.reason).toBe(
      'index [products] blocked by: [FORBIDDEN/8/index write (api)];',
    );
    const settings = (await req(eu, 'GET', '/products/_settings')).json();
    expect(settings.products.settings.index.blocks.write).toBe('true');
    const shard = (await req(us, 'GET', '/products/_ccr/stats')).json()
      .indices[0].shards[0];
    expect([
      shard.leader_global_checkpoint,
      shard.follower_global_checkpoint,
    ]).toEqual([3, 3]);
    // A follower cut off keeps what it read; the leader moves on.
    await req(eu, 'PUT', '/products/_settings', {
      'index.blocks.write': false,
    });
    down.add('eu');
    clock += 10 * WRITE_INTERVAL_MS;
    const cut = (await req(us, 'GET', '/products/_ccr/stats')).json().indices[0]
      .shards[0];
    expect(cut.follower_global_checkpoint).toBe(3);
    expect(cut.read_exceptions[0].exception.type).toBe(
      'connect_transport_exception',
    );
    expect(cut.time_since_last_read_millis).toBe(10 * WRITE_INTERVAL_MS);
  });

  it('promotes a follower only paused, closed, unfollowed, then opened', async () => {
    const { us } = world();
    clock += 6 * WRITE_INTERVAL_MS;
    const early = (await req(us, 'POST', '/products/_ccr/unfollow')).json();
    expect(early.error.reason).toBe(
      'cannot convert the follower index [products] to a non-follower, because it has not been paused',
    );
    expect(
      (await req(us, 'POST', '/products/_ccr/pause_follow')).json(),
    ).toEqual({
      acknowledged: true,
    });
    const info = (await req(us, 'GET', '/products/_ccr/info')).json();
    expect(info.follower_indices[0]).toMatchObject({
      status: 'paused',
      remote_cluster: 'leader',
    });
    const open = (await req(us, 'POST', '/products/_ccr/unfollow')).json();
    expect(open.error.reason).toContain('because it has not been closed');
    await req(us, 'POST', '/products/_close');
    expect((await req(us, 'POST', '/products/_ccr/unfollow')).json()).toEqual({
      acknowledged: true,
    });
    await req(us, 'POST', '/products/_open');
    expect((await req(us, 'GET', '/products/_ccr/info')).json()).toEqual({
      follower_indices: [],
    });
    // It kept what it had (seq nos 0..5) and now takes writes.
    const write = (await req(us, 'POST', '/products/_doc', { a: 1 })).json();
    expect(write._seq_no).toBe(6);
  });

  it('makes a cluster follow another: remote cluster, then follow a new index', async () => {
    const { eu, us, aliases } = world();
    aliases.set('eu/us-east', 'us');
    await req(us, 'POST', '/products/_ccr/pause_follow');
    const body = { remote_cluster: 'us-east', leader_index: 'products' };
    const exists = (await req(eu, 'PUT', '/products/_ccr/follow', body)).json();
    expect(exists.error.type).toBe('resource_already_exists_exception');
    await req(eu, 'DELETE', '/products');
    const noRemote = (
      await req(eu, 'PUT', '/products/_ccr/follow', body)
    ).json();
    expect(noRemote.error).toMatchObject({
      type: 'no_such_remote_cluster_exception',
      reason: 'no such remote cluster: [us-east]',
    });
    await req(eu, 'PUT', '/_cluster/settings', {
      persistent: {
        cluster: {
          remote: { 'us-east': { mode: 'proxy', proxy_address: 'us:9300' } },
        },
      },
    });
    expect(
      (await req(eu, 'GET', '/_remote/info')).json()['us-east'],
    ).toMatchObject({
      connected: true,
      mode: 'proxy',
      proxy_address: 'us:9300',
    });
    const followed = (
      await req(eu, 'PUT', '/products/_ccr/follow', {
        remote_cluster: 'us-east',
        leader_index: 'products',
      })
    ).json();
    expect(followed).toEqual({
      follow_index_created: true,
      follow_index_shards_acked: true,
      index_following_started: true,
    });
    const all = (await req(eu, 'GET', '/_ccr/stats')).json();
    expect(all.follow_stats.indices.map((i: any) => i.index)).toEqual([
      'products',
    ]);
  });

  it('keeps auto-follow patterns', async () => {
    const { us } = world();
    await req(us, 'PUT', '/_ccr/auto_follow/leader', {
      remote_cluster: 'leader',
      leader_index_patterns: ['*'],
      follow_index_pattern: '{{leader_index}}',
    });
    const got = (await req(us, 'GET', '/_ccr/auto_follow/leader')).json();
    expect(got.patterns[0]).toMatchObject({
      name: 'leader',
      pattern: {
        remote_cluster: 'leader',
        leader_index_patterns: ['*'],
        active: true,
      },
    });
    await req(us, 'DELETE', '/_ccr/auto_follow/leader');
    const gone = (await req(us, 'GET', '/_ccr/auto_follow/leader')).json();
    expect(gone.status).toBe(404);
  });
});

describe('curl credentials with security on', () => {
  it('answers 401 without credentials, and takes them from -u, .curlrc or netrc', async () => {
    const { eu } = world();
    const secured = (files: Record<string, string> = {}) =>
      ctxOf(eu, {
        security: true,
        elasticPassword: 'pw',
        readFile: p => files[p],
      });
    const none = (
      await curl(secured(), '-s', 'localhost:9200/_ccr/stats')
    ).json();
    expect(none).toMatchObject({
      status: 401,
      error: {
        type: 'security_exception',
        reason:
          'missing authentication credentials for REST request [/_ccr/stats]',
      },
    });
    const wrong = (
      await curl(secured(), '-u', 'elastic:nope', 'localhost:9200/')
    ).json();
    expect(wrong.error.reason).toBe(
      'unable to authenticate user [elastic] for REST request [/]',
    );
    expect(
      (await curl(secured(), '-u', 'elastic:pw', 'localhost:9200/')).json()
        .tagline,
    ).toBe('You Know, for Search');
    const rc = secured({
      '/usr/share/elasticsearch/.curlrc': 'user = "elastic:pw"\n',
    });
    expect((await curl(rc, '-s', 'localhost:9200/')).json().cluster_name).toBe(
      'search-eu',
    );
    expect((await curl(rc, '-q', 'localhost:9200/')).json().status).toBe(401);
    const netrc = secured({
      '/etc/es/netrc': 'machine localhost login elastic password pw',
    });
    expect(
      (
        await curl(netrc, '--netrc-file', '/etc/es/netrc', 'localhost:9200/')
      ).json().name,
    ).toBe('eu-0');
  });

  it('fails like curl for another host, -f on errors, and unknown options', async () => {
    const { eu } = world();
    const other = await curl(eu, 'http://elsewhere:9200/');
    expect([other.code, other.stderr]).toEqual([
      7,
      "curl: (7) Failed to connect to elsewhere port 9200 after 0 ms: Couldn't connect to server\n",
    ]);
    const failed = await curl(eu, '-sf', 'localhost:9200/nope/_ccr/info');
    expect(failed.code).toBe(22);
    expect((await curl(eu, '--frobnicate', 'localhost:9200/')).code).toBe(2);
    const pretty = await curl(eu, 'localhost:9200/?pretty');
    expect(pretty.stdout).toContain('\n  "cluster_name": "search-eu",\n');
  });
});
