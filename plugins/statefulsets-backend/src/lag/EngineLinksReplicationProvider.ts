/*
 * Wraps a replication provider so its links follow the roles the engine
 * reports (see `linksFollowingEngine`): after a switchover the declared
 * replication source may still name the old primary, and a replica set
 * across sites declares no link at all. Sits inside the lag-source
 * wrappers, so a link the engine implies gets its lag measured like any
 * other.
 */
import {
  linksFollowingEngine,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  EntityContext,
  ReplicationProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { EngineRoleSource } from './PrometheusEngineRoles';

/** A replication provider whose links follow the engine's roles. */
export class EngineLinksReplicationProvider implements ReplicationProvider {
  readonly id: string;
  readonly #inner: ReplicationProvider;
  readonly #roles: EngineRoleSource;

  constructor(inner: ReplicationProvider, roles: EngineRoleSource) {
    this.id = inner.id;
    this.#inner = inner;
    this.#roles = roles;
  }

  supports(context: EntityContext): boolean {
    return this.#inner.supports(context);
  }

  async readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    const [links, readings] = await Promise.all([
      this.#inner.readReplication(context),
      // Roles that cannot be read leave the declared links standing.
      this.#roles.readRoles(context).catch(() => []),
    ]);
    return linksFollowingEngine(links, readings);
  }
}

/**
 * One reading of the engine's roles per topology: the links and the
 * cluster roles are computed from the same context object, so they are
 * read once for both and never disagree.
 */
export class OncePerContextEngineRoles implements EngineRoleSource {
  readonly #inner: EngineRoleSource;
  readonly #readings = new WeakMap<
    EntityContext,
    ReturnType<EngineRoleSource['readRoles']>
  >();

  constructor(inner: EngineRoleSource) {
    this.#inner = inner;
  }

  readRoles(context: EntityContext) {
    let reading = this.#readings.get(context);
    if (!reading) {
      reading = this.#inner.readRoles(context);
      this.#readings.set(context, reading);
    }
    return reading;
  }
}
