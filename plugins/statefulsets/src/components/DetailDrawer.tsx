/*
 * The detail drawer: the selected StatefulSet (or CloudNativePG cluster) or
 * pod as a structured list of its fields. It reads from the live topology, so
 * it stays open and current while the page refreshes.
 */
import Box from '@material-ui/core/Box';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import CloseIcon from '@material-ui/icons/Close';
import {
  EntityTopology,
  TopologyPod,
  TopologyWorkload,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { describePod } from './presentation';
import { resolveSelection, Selection } from './selection';

type Field = [string, string | number | boolean | undefined];

function workloadFields(cluster: string, w: TopologyWorkload): Field[] {
  return [
    ['Cluster', cluster],
    ['Kind', w.kind],
    ['API version', w.apiVersion],
    ['Namespace', w.namespace],
    ['Role', w.role],
    ['Replicas desired', w.replicas.desired],
    ['Replicas ready', w.replicas.ready],
    ['Replicas updated', w.replicas.updated],
    ['Image', w.image],
    ['Revision', w.revision],
    ['Ordinals start', w.ordinalsStart],
    ['Update strategy', w.updateStrategy],
    ['Service', w.serviceName],
    ['Claims', w.volumes.map(v => v.claimName).join(', ') || undefined],
  ];
}

function podFields(
  cluster: string,
  w: TopologyWorkload,
  p: TopologyPod,
): Field[] {
  return [
    ['Cluster', cluster],
    ['Workload', `${w.kind} ${w.name}`],
    ['Ordinal', p.ordinal],
    ['Phase', p.phase],
    ['Ready', p.ready],
    ['Restarts', p.restarts],
    ['Role', p.role],
    ['Node', p.node],
    ['Zone', p.zone],
  ];
}

/** Side drawer with the selected object's fields. */
export function DetailDrawer(props: {
  topology: EntityTopology;
  selection?: Selection;
  onClose(): void;
}) {
  const { topology, selection, onClose } = props;
  const resolved = selection && resolveSelection(topology, selection);
  const title = resolved?.pod
    ? `Pod ${resolved.pod.name}`
    : resolved && `${resolved.workload.kind} ${resolved.workload.name}`;
  let fields: Field[] = [];
  if (selection && resolved) {
    fields = resolved.pod
      ? podFields(selection.cluster, resolved.workload, resolved.pod)
      : workloadFields(selection.cluster, resolved.workload);
  }
  return (
    <Drawer
      anchor="right"
      open={!!selection}
      onClose={onClose}
      PaperProps={{ role: 'dialog', 'aria-label': title ?? 'Details' } as any}
    >
      <Box width={420} p={2}>
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="h5" component="h2">
            {title ?? 'Gone'}
          </Typography>
          <IconButton aria-label="Close details" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        {!resolved && (
          <Typography variant="body2">
            This object is no longer part of the topology.
          </Typography>
        )}
        {resolved?.pod && (
          <Typography variant="body2" color="textSecondary">
            {describePod(resolved.pod)}
          </Typography>
        )}
        <Table size="small" aria-label="Fields">
          <TableBody>
            {fields
              .filter(([, value]) => value !== undefined)
              .map(([name, value]) => (
                <TableRow key={name}>
                  <TableCell component="th" scope="row">
                    {name}
                  </TableCell>
                  <TableCell>{String(value)}</TableCell>
                </TableRow>
              ))}
          </TableBody>
        </Table>
      </Box>
    </Drawer>
  );
}
