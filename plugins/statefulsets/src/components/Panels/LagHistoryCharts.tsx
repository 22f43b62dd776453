/*
 * The lag history of an entity's replication links: a chart per link over
 * the last hour or day (a toggle), read again every 15 s while shown, with
 * where the samples come from (Prometheus, or the backend's own memory).
 */
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  LagHistory,
  LagHistoryWindow,
  multiClusterStatefulSetsApiRef,
} from '../../api';
import { LagChart } from './LagChart';

/** How often an open chart reads the history again. */
export const LAG_HISTORY_REFRESH_MS = 15_000;

function sourceLine(link: LagHistory['links'][number]): string {
  const source =
    link.source === 'prometheus'
      ? 'from Prometheus'
      : 'samples kept in memory by the backend replica that answered';
  return `${link.workload}: ${source}`;
}

/** Charts of each link's lag, with a 1 h / 1 d toggle. */
export function LagHistoryCharts(props: {
  entityRef: CompoundEntityRef;
  /** Changes when the entity's links change (a failover flips them): read again at once. */
  linksKey?: string;
  /** Fixed chart width, for environments that cannot measure (tests). */
  chartWidth?: number;
}) {
  const api = useApi(multiClusterStatefulSetsApiRef);
  const [span, setSpan] = useState<LagHistoryWindow>('1h');
  const { kind, namespace, name } = props.entityRef;
  const history = useAsyncRetry(
    () => api.getLagHistory({ kind, namespace, name }, span),
    [api, kind, namespace, name, span, props.linksKey],
  );
  const { retry } = history;
  useEffect(() => {
    const timer = setInterval(retry, LAG_HISTORY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [retry]);

  let content;
  if (history.error && !history.value) {
    content = <ResponseErrorPanel error={history.error} />;
  } else if (!history.value) {
    content = <Progress />;
  } else {
    const value = history.value;
    content = value.links.map(link => (
      <Box key={`${link.workload}:${link.from}:${link.to}`} mt={2}>
        <Typography variant="subtitle2" component="h4">
          {link.from} → {link.to}
        </Typography>
        <Typography variant="caption" color="textSecondary" component="p">
          {sourceLine(link)}
          {link.reason && link.samples.length > 0 ? ` — ${link.reason}` : ''}
        </Typography>
        <LagChart
          link={link}
          thresholdSeconds={value.thresholdSeconds}
          runs={value.runs}
          window={value.window}
          from={value.from}
          to={value.to}
          width={props.chartWidth}
        />
      </Box>
    ));
  }

  return (
    <Box mt={2} component="section" aria-label="Lag history">
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography variant="h6" component="h3">
          Lag history
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={span}
          onChange={(_e, next: LagHistoryWindow | null) => {
            if (next) setSpan(next);
          }}
          aria-label="Lag history window"
        >
          <ToggleButton value="1h" aria-label="last hour">
            1 h
          </ToggleButton>
          <ToggleButton value="1d" aria-label="last day">
            1 d
          </ToggleButton>
        </ToggleButtonGroup>
      </Box>
      {content}
    </Box>
  );
}
