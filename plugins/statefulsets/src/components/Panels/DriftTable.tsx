/*
 * Drift: every field whose value differs across clusters, side by side, the
 * values that differ from the majority highlighted.
 */
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard } from '@backstage/core-components';
import {
  DriftEntry,
  EntityTopology,
} from '@multicluster/backstage-plugin-statefulsets-common';

const useStyles = makeStyles(theme => ({
  differs: {
    backgroundColor:
      theme.palette.type === 'dark'
        ? theme.palette.warning.dark
        : theme.palette.warning.light,
    fontWeight: theme.typography.fontWeightBold as number,
  },
}));

/** The value most clusters have; drift highlights the others. */
export function majorityValue(entry: DriftEntry): string | null {
  const counts = new Map<string | null, number>();
  for (const v of Object.values(entry.values)) {
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = -1;
  for (const [v, n] of counts) {
    if (v !== null && n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/** The drift table of an entity. */
export function DriftTable(props: { topology: EntityTopology }) {
  const classes = useStyles();
  const { drift, clusters } = props.topology;
  const names = clusters.map(c => c.name);
  return (
    <InfoCard title="Drift between clusters">
      {drift.length === 0 ? (
        <Typography variant="body2">
          No differences: every cluster runs the same configuration.
        </Typography>
      ) : (
        <Table size="small" aria-label="Drift between clusters">
          <TableHead>
            <TableRow>
              <TableCell>Workload</TableCell>
              <TableCell>Field</TableCell>
              {names.map(n => (
                <TableCell key={n}>{n}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {drift.map(entry => {
              const majority = majorityValue(entry);
              return (
                <TableRow key={`${entry.workload}:${entry.field}`}>
                  <TableCell>{entry.workload}</TableCell>
                  <TableCell>{entry.field}</TableCell>
                  {names.map(n => {
                    const value = entry.values[n] ?? null;
                    const differs = value !== null && value !== majority;
                    return (
                      <TableCell
                        key={n}
                        className={differs ? classes.differs : undefined}
                        data-differs={differs || undefined}
                      >
                        {value ?? '—'}
                      </TableCell>
                    );
                  })}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
