import { ClusterWriteClient, FailoverSide } from '../failover';
import { StrimziMirrorMakerProvider } from './StrimziMirrorMakerProvider';
import { reversedSpec } from './strimziMirrorMaker';

const MM2_PATH =
  '/apis/kafka.strimzi.io/v1beta2/namespaces/databases/kafkamirrormaker2s';

function mirror() {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaMirrorMaker2',
    metadata: { name: 'clickstream-mirror', namespace: 'databases' },
    spec: {
      replicas: 2,
      target: {
        alias: 'us-east',
        bootstrapServers: 'clickstream-kafka-bootstrap:9093',
        groupId: 'clickstream-mirror',
        tls: { trustedCertificates: [{ secretName: 'us-ca' }] },
      },
      mirrors: [
        {
          source: {
            alias: 'eu-central',
            bootstrapServers: 'eu.lb.example:9094',
            tls: { trustedCertificates: [{ secretName: 'eu-ca' }] },
          },
          sourceConnector: { tasksMax: 2 },
        },
      ],
    },
    status: {
      connectors: [
        {
          name: 'eu-central->us-east.MirrorSourceConnector',
          connector: { state: 'RUNNING' },
        },
      ],
    },
  };
}

/** A cluster holding KafkaMirrorMaker2 resources, applying merge patches as the API server does. */
function cluster(name: string, items: any[]): ClusterWriteClient {
  const merge = (obj: any, patch: any): any => {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
      return patch;
    const out = { ...(obj ?? {}) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  return {
    cluster: name,
    pathOf: r => (r.name ? `${MM2_PATH}/${r.name}` : MM2_PATH),
    get: async (path: string) =>
      path === MM2_PATH
        ? ({ items: structuredClone(items) } as any)
        : undefined,
    mergePatch: async (path: string, patch: unknown) => {
      const i = items.findIndex(o => path.endsWith(`/${o.metadata.name}`));
      items[i] = merge(items[i], patch);
      return items[i];
    },
    create: async () => ({} as any),
    delete: async () => undefined,
  };
}

const workload = {
  apiVersion: 'kafka.strimzi.io/v1beta2',
  kind: 'Kafka',
  namespace: 'databases',
  name: 'clickstream',
};
const ctx = { entityRef: 'component:default/clickstream', now: Date.now };

describe('StrimziMirrorMakerProvider', () => {
  it('turns the mirror around by its spec, keeping the Connect settings', async () => {
    const held = [mirror()];
    const sides: Record<string, FailoverSide> = {
      'us-east': {
        cluster: 'us-east',
        client: cluster('us-east', held),
        workload,
      },
      'eu-central': {
        cluster: 'eu-central',
        client: cluster('eu-central', []),
        workload,
      },
    };
    const provider = new StrimziMirrorMakerProvider();
    expect(provider.supportsWorkload(workload)).toBe(true);
    await provider.waitCaughtUp(sides['us-east'], sides['eu-central']);
    expect(await provider.isPromoted(sides['us-east'], ctx)).toBe(false);

    const undo = await provider.promote(sides['us-east'], sides['eu-central']);
    expect(undo).toEqual({ reversed: ['us-east/clickstream-mirror'] });
    expect(held[0].spec.target).toEqual({
      alias: 'eu-central',
      bootstrapServers: 'eu.lb.example:9094',
      groupId: 'clickstream-mirror',
      tls: { trustedCertificates: [{ secretName: 'eu-ca' }] },
    });
    expect(held[0].spec.mirrors[0]).toEqual({
      source: {
        alias: 'us-east',
        bootstrapServers: 'clickstream-kafka-bootstrap:9093',
        tls: { trustedCertificates: [{ secretName: 'us-ca' }] },
      },
      sourceConnector: { tasksMax: 2 },
    });
    expect(await provider.isPromoted(sides['us-east'], ctx)).toBe(true);
    expect(
      await provider.verifyRoles(sides['us-east'], sides['eu-central']),
    ).toEqual([]);
    // Promoting again changes nothing.
    expect(
      await provider.promote(sides['us-east'], sides['eu-central']),
    ).toEqual({
      reversed: [],
    });
    // The connector of the new direction is not reported yet: no catch-up.
    await expect(
      provider.waitCaughtUp(sides['eu-central'], sides['us-east']),
    ).rejects.toThrow('us-east->eu-central MirrorSourceConnector');

    await provider.abortPromotion(sides['us-east'], sides['eu-central']);
    expect(held[0].spec.target.alias).toBe('us-east');
    expect(
      await provider.verifyRoles(sides['us-east'], sides['eu-central']),
    ).toEqual([
      'KafkaMirrorMaker2 us-east/clickstream-mirror still mirrors eu-central into us-east',
      'no KafkaMirrorMaker2 mirrors us-east into eu-central',
    ]);
  });

  it('reverses a spec twice back to where it was', () => {
    const spec = mirror().spec;
    expect(reversedSpec(reversedSpec(spec))).toEqual(spec);
  });

  it('names the spec change in its steps', () => {
    const steps = new StrimziMirrorMakerProvider().describeSteps({
      sourceCluster: 'eu-central',
      targetCluster: 'us-east',
    });
    expect(steps.promote.join('\n')).toContain(
      'spec.mirrors[0].source ← the old target (alias us-east)',
    );
    expect(steps.reattach).toBeUndefined();
  });
});
