/*
 * The Failover action of the tab and the card. Disabled, with the reason,
 * when the user lacks the permission or no cluster qualifies as a target.
 */
import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  EntityTopology,
  failoverExecutePermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverDialog } from './FailoverDialog';
import { failoverTargets } from './targets';

/** Why the button is disabled, or undefined when it is enabled. */
export function disabledReason(options: {
  permissionLoading: boolean;
  allowed: boolean;
  topology?: EntityTopology;
}): string | undefined {
  if (options.permissionLoading) return 'Checking your permission…';
  if (!options.allowed) {
    return `You need the permission ${failoverExecutePermission.name} on this entity; the portal grants it to the entity's owners.`;
  }
  if (!options.topology) return 'The topology has not loaded yet.';
  if (failoverTargets(options.topology).length === 0) {
    return 'No other reachable cluster runs this database, so nothing can take over.';
  }
  return undefined;
}

/** The Failover button with its dialog. */
export function FailoverButton(props: {
  topology?: EntityTopology;
  onFinished?(): void;
}) {
  const { entity } = useEntity();
  const entityRef = getCompoundEntityRef(entity);
  const permission = usePermission({
    permission: failoverExecutePermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const [open, setOpen] = useState(false);
  const reason = disabledReason({
    permissionLoading: permission.loading,
    allowed: permission.allowed,
    topology: props.topology,
  });
  const button = (
    <Button
      variant="outlined"
      color="secondary"
      startIcon={<SwapHorizIcon />}
      disabled={!!reason}
      onClick={() => setOpen(true)}
    >
      Failover
    </Button>
  );
  return (
    <>
      {reason ? (
        <Tooltip title={reason}>
          <span aria-label={`Failover unavailable: ${reason}`}>{button}</span>
        </Tooltip>
      ) : (
        button
      )}
      {open && props.topology && (
        <FailoverDialog
          open={open}
          onClose={() => setOpen(false)}
          entityRef={entityRef}
          topology={props.topology}
          onFinished={props.onFinished}
        />
      )}
    </>
  );
}
