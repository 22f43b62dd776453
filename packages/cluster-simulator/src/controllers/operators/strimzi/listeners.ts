/*
 * The simulated Strimzi operator's listeners: what each listener publishes
 * in the Kafka's status, and the bootstrap, broker and per-listener
 * Services a Kafka is reached through.
 */
import { type ClusterApi, type KubeObject } from '../../types';
import { ensure, ownedBy, setStatus } from '../shared';
import {
  CLUSTER,
  externalBootstrapHost,
  KIND,
  Labels,
  NAME,
} from './resources';

export interface ListenerStatus {
  name: string;
  addresses: Array<{ host: string; port: number }>;
  bootstrapServers: string;
}

/** What a listener publishes, and the Service it is reached through. */
export function listenerOf(
  api: ClusterApi,
  kafka: KubeObject,
  listener: any,
): { status?: ListenerStatus; service?: KubeObject } {
  const name = kafka.metadata.name;
  const namespace = kafka.metadata.namespace ?? 'default';
  const port = Number(listener?.port);
  const lname = String(listener?.name ?? '');
  const internalHost = `${name}-kafka-bootstrap.${namespace}.svc`;
  const published = (host: string, p: number): ListenerStatus => ({
    name: lname,
    addresses: [{ host, port: p }],
    bootstrapServers: `${host}:${p}`,
  });
  switch (listener?.type) {
    case 'internal':
      return { status: published(internalHost, port) };
    case 'cluster-ip':
      return {
        status: published(
          `${name}-kafka-${lname}-bootstrap.${namespace}.svc`,
          port,
        ),
      };
    case 'loadbalancer':
    case 'route':
    case 'tlsroute':
    case 'ingress': {
      const lb = listener.type === 'loadbalancer';
      // A load balancer's host name is the cloud's; a route's or ingress's
      // may be set in the listener.
      const host: string =
        (!lb && listener.configuration?.bootstrap?.host) ||
        externalBootstrapHost(api.name, namespace, name, lname);
      return {
        status: published(host, lb ? port : 443),
        service: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: {
            name: `${name}-kafka-${lname}-bootstrap`,
            namespace,
            labels: {},
          },
          spec: {
            type: lb ? 'LoadBalancer' : 'ClusterIP',
            ports: [{ name: lname, port, targetPort: port, protocol: 'TCP' }],
          },
          status: lb ? { loadBalancer: { ingress: [{ hostname: host }] } } : {},
        },
      };
    }
    default:
      // A node port's address is a node's; nothing stable to publish here.
      return {};
  }
}

/** The Services every Kafka has, and one per external listener. */
export function ensureKafkaServices(
  api: ClusterApi,
  kafka: KubeObject,
  labels: Labels,
  services: KubeObject[],
): void {
  const name = kafka.metadata.name;
  const namespace = kafka.metadata.namespace ?? 'default';
  const brokerSelector = {
    [CLUSTER]: name,
    [NAME]: `${name}-kafka`,
    [KIND]: 'Kafka',
    'strimzi.io/broker-role': 'true',
  };
  const internalPorts = (kafka.spec?.kafka?.listeners ?? [])
    .filter((l: any) => l?.type === 'internal')
    .map((l: any) => ({
      name: `tcp-${l.name}`,
      port: Number(l.port),
      targetPort: Number(l.port),
      protocol: 'TCP',
    }));
  const port = (n: string, p: number) => ({
    name: n,
    port: p,
    targetPort: p,
    protocol: 'TCP',
  });
  const metadata = (serviceName: string) => ({
    name: serviceName,
    namespace,
    labels,
    ownerReferences: ownedBy(kafka, false),
  });
  ensure(api, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(`${name}-kafka-bootstrap`),
    spec: {
      type: 'ClusterIP',
      selector: brokerSelector,
      ports: [port('tcp-replication', 9091), ...internalPorts],
    },
  });
  ensure(api, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(`${name}-kafka-brokers`),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { [CLUSTER]: name, [NAME]: `${name}-kafka`, [KIND]: 'Kafka' },
      ports: [
        port('tcp-ctrlplane', 9090),
        port('tcp-replication', 9091),
        ...internalPorts,
      ],
    },
  });
  for (const service of services) {
    const made = ensure(api, {
      ...service,
      metadata: metadata(service.metadata.name),
      spec: { ...service.spec, selector: brokerSelector },
    });
    setStatus(api, made, service.status);
  }
}
