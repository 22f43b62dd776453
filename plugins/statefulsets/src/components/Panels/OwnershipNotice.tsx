/*
 * Says when the objects this entity selects are not stamped for it: objects
 * stamped for another entity are that entity's (this one cannot fail them
 * over, whatever its annotations say), and unstamped objects need their
 * owner's `kubectl annotate` before a failover may act on them.
 */
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import {
  annotateCommand,
  describeOwnedObject,
  EntityTopology,
  OwnedObjectRef,
} from '@multicluster/backstage-plugin-statefulsets-common';

function ObjectList(props: { objects: OwnedObjectRef[]; label: string }) {
  return (
    <ul aria-label={props.label}>
      {props.objects.map(o => (
        <li key={describeOwnedObject(o)}>{describeOwnedObject(o)}</li>
      ))}
    </ul>
  );
}

/** Warnings for objects stamped for another entity or not stamped at all; nothing when all is owned. */
export function OwnershipNotice(props: { topology: EntityTopology }) {
  const { entityRef, ownership } = props.topology;
  if (!ownership || ownership.status === 'owned') return null;
  const owners = [
    ...new Set(ownership.conflicts.map(o => o.ownership.owner ?? '?')),
  ].sort();
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
      {owners.map(owner => {
        const theirs = ownership.conflicts.filter(
          o => o.ownership.owner === owner,
        );
        const clusters = [...new Set(theirs.map(o => o.cluster))].join(', ');
        return (
          <WarningPanel
            key={owner}
            severity="error"
            title={`Objects in ${clusters} belong to ${owner}; this entity cannot fail them over`}
            defaultExpanded
          >
            <Typography variant="body2">
              These objects carry the owner stamp of {owner}. If this entity
              selects them by mistake, correct its annotations; failover acts
              only on objects stamped for {entityRef}.
            </Typography>
            <ObjectList objects={theirs} label={`Objects of ${owner}`} />
          </WarningPanel>
        );
      })}
      {ownership.unstamped.length > 0 && (
        <WarningPanel
          severity="info"
          title={`${ownership.unstamped.length} object(s) carry no owner stamp; failover will not act on them until their owner stamps them`}
        >
          <Typography variant="body2">
            The portal stamps every object it creates. For a database it did not
            create, its owner runs:
          </Typography>
          <Box
            component="pre"
            aria-label="Commands that stamp the objects"
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
          >
            {ownership.unstamped
              .map(o => annotateCommand(o, entityRef))
              .join('\n')}
          </Box>
        </WarningPanel>
      )}
    </Box>
  );
}
