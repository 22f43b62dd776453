/*
 * The database actions of the actions registry, which the MCP actions
 * backend (`@backstage/plugin-mcp-actions-backend`) serves to agents as
 * tools: `get-database-topology`, `plan-failover`, `list-failover-runs`
 * and `start-failover`. Each acts with the caller's credentials and the
 * failover ones go through the same FailoverRequests as the REST API.
 */
import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { FailoverRequests, TopologyReader } from '../failover/FailoverRequests';
import { registerGetDatabaseTopologyAction } from './getDatabaseTopologyAction';
import { registerListFailoverRunsAction } from './listFailoverRunsAction';
import { registerPlanFailoverAction } from './planFailoverAction';
import { registerStartFailoverAction } from './startFailoverAction';

/** What the database actions need. */
export interface DatabaseActionsOptions {
  actionsRegistry: ActionsRegistryService;
  requests: Pick<FailoverRequests, 'plan' | 'start' | 'listRuns'>;
  topology: TopologyReader;
  permissions: PermissionsService;
}

/** Registers the four database actions. */
export function registerDatabaseActions(options: DatabaseActionsOptions): void {
  const { actionsRegistry: registry } = options;
  registerGetDatabaseTopologyAction(registry, options);
  registerPlanFailoverAction(registry, options);
  registerListFailoverRunsAction(registry, options);
  registerStartFailoverAction(registry, options);
}
