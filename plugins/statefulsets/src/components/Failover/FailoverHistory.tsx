/*
 * The entity's failover runs, newest first; a row opens its journal. A link
 * with `?run=<id>` (as in the owners' notifications) opens that run's
 * journal and scrolls to it.
 */
import { Fragment, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FailoverRun } from '@multicluster/backstage-plugin-statefulsets-common';
import { multiClusterStatefulSetsApiRef } from '../../api';
import { RunJournal, StepStatus } from './RunJournal';

function Journal(props: { entityRef: CompoundEntityRef; id: string }) {
  const api = useApi(multiClusterStatefulSetsApiRef);
  const run = useAsync(
    () => api.getFailoverRun(props.entityRef, props.id),
    [props.id],
  );
  if (run.loading) return <Progress />;
  if (run.error) return <ResponseErrorPanel error={run.error} />;
  return run.value ? <RunJournal run={run.value} /> : null;
}

/** The query parameter of the tab's URL that opens a run's journal. */
export const RUN_PARAM = 'run';

function seconds(ms?: number | null) {
  return ms === undefined || ms === null ? '' : `${(ms / 1000).toFixed(2)} s`;
}

/** History of runs; `version` changes reload it. */
export function FailoverHistory(props: {
  entityRef: CompoundEntityRef;
  version?: number;
}) {
  const api = useApi(multiClusterStatefulSetsApiRef);
  const runs = useAsyncRetry(
    () => api.listFailoverRuns(props.entityRef),
    [api],
  );
  const { retry } = runs;
  useEffect(() => {
    if (props.version) retry();
  }, [props.version, retry]);
  const [searchParams] = useSearchParams();
  const linked = searchParams.get(RUN_PARAM) ?? undefined;
  const [open, setOpen] = useState<string | undefined>(linked);
  useEffect(() => {
    if (linked) setOpen(linked);
  }, [linked]);
  const linkedRow = useRef<HTMLTableRowElement>(null);
  const loaded = !!runs.value;
  useEffect(() => {
    linkedRow.current?.scrollIntoView?.({ block: 'start' });
  }, [linked, loaded]);

  let content;
  if (runs.loading && !runs.value) content = <Progress />;
  else if (runs.error) content = <ResponseErrorPanel error={runs.error} />;
  else if (!runs.value?.length) {
    content = (
      <Typography variant="body2">
        No failover has been run for this entity.
      </Typography>
    );
  } else {
    content = (
      <Table size="small" aria-label="Failover runs">
        <TableHead>
          <TableRow>
            <TableCell />
            <TableCell>Started</TableCell>
            <TableCell>Mode</TableCell>
            <TableCell>From → to</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>RPO</TableCell>
            <TableCell>RTO</TableCell>
            <TableCell>By</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {runs.value.map((run: FailoverRun) => (
            <Fragment key={run.id}>
              <TableRow
                ref={run.id === linked ? linkedRow : undefined}
                selected={run.id === linked}
              >
                <TableCell padding="checkbox">
                  <IconButton
                    size="small"
                    aria-label={`Journal of run ${run.id}`}
                    aria-expanded={open === run.id}
                    onClick={() =>
                      setOpen(open === run.id ? undefined : run.id)
                    }
                  >
                    {open === run.id ? <ExpandLessIcon /> : <ExpandMoreIcon />}
                  </IconButton>
                </TableCell>
                <TableCell>
                  {new Date(run.startedAt ?? run.createdAt).toLocaleString()}
                </TableCell>
                <TableCell>{run.mode}</TableCell>
                <TableCell>
                  {run.sourceCluster ?? '?'} → {run.targetCluster}
                </TableCell>
                <TableCell>
                  <StepStatus status={run.status} />
                </TableCell>
                <TableCell>
                  {run.rpoSeconds === undefined || run.rpoSeconds === null
                    ? ''
                    : `${run.rpoSeconds.toFixed(1)} s`}
                </TableCell>
                <TableCell>{seconds(run.rtoMs)}</TableCell>
                <TableCell>{run.actor}</TableCell>
              </TableRow>
              {open === run.id && (
                <TableRow>
                  <TableCell colSpan={8}>
                    <Journal entityRef={props.entityRef} id={run.id} />
                  </TableCell>
                </TableRow>
              )}
            </Fragment>
          ))}
        </TableBody>
      </Table>
    );
  }
  return <InfoCard title="Failover history">{content}</InfoCard>;
}
