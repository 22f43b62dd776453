/*
 * Where a side's PostgreSQL server runs, read from its StatefulSet: the pod
 * commands are run in (the first ordinal, where the side's primary lives),
 * its PostgreSQL container and port, and the name other clusters reach it by.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { ExecTarget, FailoverSide } from '../failover';

/** A side's PostgreSQL pod. */
export interface PostgresPod {
  target: ExecTarget;
  port: number;
  /** The governing Service the StatefulSet's pods are named under. */
  serviceName: string;
}

const PORT_NAMES = ['postgresql', 'postgres', 'tcp-postgresql'];

function hasPostgresPort(c: any): boolean {
  return (c?.ports ?? []).some((p: any) => PORT_NAMES.includes(p?.name));
}

/** A PostgreSQL server image, not one of its sidecars (exporters, poolers). */
function hasPostgresImage(c: any): boolean {
  const image = String(c?.image ?? '');
  return (
    /postgres|postgis|pgvector|spilo|timescale/.test(image) &&
    !/exporter|bouncer|pgpool/.test(image)
  );
}

/** The pod, container and port of a side's primary, from its StatefulSet. */
export function postgresPodOf(
  side: FailoverSide,
  sts: KubeObject,
): PostgresPod {
  const containers: any[] = sts.spec?.template?.spec?.containers ?? [];
  const container =
    containers.find(hasPostgresPort) ??
    containers.find(hasPostgresImage) ??
    containers[0];
  const port = (container?.ports ?? []).find((p: any) =>
    PORT_NAMES.includes(p?.name),
  )?.containerPort;
  const ordinal = Number(sts.spec?.ordinals?.start ?? 0);
  return {
    target: {
      namespace: side.workload.namespace,
      pod: `${side.workload.name}-${ordinal}`,
      ...(container?.name ? { container: String(container.name) } : {}),
    },
    port: Number(port ?? 5432),
    serviceName: String(sts.spec?.serviceName ?? side.workload.name),
  };
}

/**
 * The side's other pods (the ordinals after the first), which stream from
 * the first: in the same container as the first.
 */
export function standbyTargetsOf(
  sts: KubeObject,
  pod: PostgresPod,
): ExecTarget[] {
  const start = Number(sts.spec?.ordinals?.start ?? 0);
  const replicas = Number(sts.spec?.replicas ?? 1);
  const name = pod.target.pod.slice(0, pod.target.pod.lastIndexOf('-'));
  const out: ExecTarget[] = [];
  for (let i = start + 1; i < start + replicas; i++) {
    out.push({ ...pod.target, pod: `${name}-${i}` });
  }
  return out;
}

/**
 * How an old primary reaches the new one across clusters: the pod's
 * Multi-Cluster Services name (`<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local`),
 * as the pod's database user, without a password.
 */
export function mcsConninfo(primary: FailoverSide, pod: PostgresPod): string {
  const host = `${pod.target.pod}.${primary.cluster}.${pod.serviceName}.${pod.target.namespace}.svc.clusterset.local`;
  return `host=${host} port=${pod.port} user=postgres dbname=postgres`;
}
