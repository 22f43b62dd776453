/*
 * Where federation objects may go, checked before anything is written in
 * any cluster. Karmada's policies belong to the Karmada API server (the
 * cluster entry marked `federationHost: karmada`): in a member they
 * propagate nothing, and the template next to them would run there
 * unmanaged. KubeFed objects need the host's FederatedTypeConfigs, which
 * the platform creates.
 */
import { InputError } from '@backstage/errors';
import { ConfiguredCluster } from '../cluster/readClusterConfig';
import { ApplyClusterClient } from './ApplyClusterClient';
import { ClusterManifests } from './types';

const KARMADA_GROUP = 'policy.karmada.io/';

/** The Karmada objects of a target, as "Kind name" for messages. */
function karmadaObjects(target: ClusterManifests): string[] {
  return target.manifests
    .filter(m => m.apiVersion.startsWith(KARMADA_GROUP))
    .map(m => `${m.kind} ${m.metadata.name}`);
}

/**
 * Throws an InputError when Karmada objects are sent to a cluster that is
 * not the configured Karmada API server; unknown clusters are left to the
 * per-cluster result.
 */
export function checkKarmadaTargets(
  targets: ClusterManifests[],
  clusters: ReadonlyMap<string, ConfiguredCluster>,
): void {
  const misplaced = targets.flatMap(t => {
    const cluster = clusters.get(t.name);
    const objects = karmadaObjects(t);
    return cluster &&
      objects.length > 0 &&
      cluster.info.federationHost !== 'karmada'
      ? [`${t.name} (${objects.join(', ')})`]
      : [];
  });
  if (misplaced.length === 0) return;
  const apiServer = [...clusters.values()].find(
    c => c.info.federationHost === 'karmada',
  )?.info.name;
  throw new InputError(
    `Karmada objects sent to a cluster that is not the Karmada API server: ${misplaced.join(
      '; ',
    )}; nothing was applied. ${
      apiServer
        ? `Send them to ${apiServer}, the cluster marked federationHost: karmada`
        : 'Configure the Karmada API server as a cluster with multiclusterStatefulsets.clusters.<name>.federationHost: karmada and send them there'
    }.`,
  );
}

/** The FederatedTypeConfig (`kubefedctl enable <name>`) each KubeFed kind needs. */
const KUBEFED_TYPE_CONFIGS: Record<string, string> = {
  FederatedStatefulSet: 'statefulsets.apps',
  FederatedNamespace: 'namespaces',
  FederatedService: 'services',
  FederatedConfigMap: 'configmaps',
};

const TYPE_CONFIG_PATH =
  '/apis/core.kubefed.io/v1beta1/namespaces/kube-federation-system/federatedtypeconfigs';

/** The type configs a target's KubeFed objects need. */
function neededTypeConfigs(target: ClusterManifests): string[] {
  const names = target.manifests
    .filter(m => m.apiVersion.startsWith('types.kubefed.io/'))
    .map(
      m => KUBEFED_TYPE_CONFIGS[m.kind] ?? m.kind.toLocaleLowerCase('en-US'),
    );
  return [...new Set(names)];
}

/** The needed type configs the cluster lacks; none when it cannot be asked. */
async function missingTypeConfigs(
  target: ClusterManifests,
  clientFor: (cluster: string) => Promise<ApplyClusterClient | undefined>,
): Promise<string[]> {
  const needed = neededTypeConfigs(target);
  if (needed.length === 0) return [];
  try {
    const client = await clientFor(target.name);
    if (!client) return [];
    const found = await Promise.all(
      needed.map(name => client.get(`${TYPE_CONFIG_PATH}/${name}`)),
    );
    return needed.filter((_, i) => !found[i]);
  } catch {
    // Unreachable or refused: the cluster's own apply result says so.
    return [];
  }
}

/**
 * Throws an InputError when a KubeFed host lacks the FederatedTypeConfig of
 * a kind it is sent: KubeFed would store the objects and propagate
 * nothing. Type configs are the platform's, so the message names the
 * commands that create them; nothing is written in any cluster.
 */
export async function checkKubefedTypeConfigs(
  targets: ClusterManifests[],
  clientFor: (cluster: string) => Promise<ApplyClusterClient | undefined>,
): Promise<void> {
  const missing = await Promise.all(
    targets.map(async t => ({
      cluster: t.name,
      names: await missingTypeConfigs(t, clientFor),
    })),
  );
  const lacking = missing.filter(m => m.names.length > 0);
  if (lacking.length === 0) return;
  throw new InputError(
    `KubeFed does not federate the generated kinds: ${lacking
      .map(
        m =>
          `${m.cluster} has no FederatedTypeConfig ${m.names.join(
            ', ',
          )} in kube-federation-system`,
      )
      .join(
        '; ',
      )}; nothing was applied. The platform enables them on the KubeFed host: ${lacking
      .flatMap(m => m.names.map(n => `kubefedctl enable ${n}`))
      .join(
        '; ',
      )}. KubeFed is archived upstream; prefer Karmada for new databases.`,
  );
}
