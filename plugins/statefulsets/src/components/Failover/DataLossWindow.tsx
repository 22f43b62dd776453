/*
 * The plan's data-loss window as numbers: the seconds of writes the plan
 * derives from the replication lag, next to what the engine itself reports
 * the target lacks (transactions, WAL bytes, offsets…) when its provider
 * reads it.
 */
import Typography from '@material-ui/core/Typography';
import { FailoverPlan } from '@multicluster/backstage-plugin-statefulsets-common';

/** `0 s · 3 transactions (what was compared; read by mysql-gtid)`. */
export function dataLossWindowText(
  plan: Pick<FailoverPlan, 'dataLossWindowSeconds' | 'dataLossInEngine'>,
): string {
  const seconds =
    plan.dataLossWindowSeconds === null
      ? 'unknown s'
      : `${plan.dataLossWindowSeconds} s`;
  const engine = plan.dataLossInEngine;
  if (!engine) return `${seconds} (the engine's own count is not read)`;
  const amount = engine.amount === null ? 'unknown' : String(engine.amount);
  return `${seconds} · ${amount} ${engine.unit} (${engine.detail}; read by ${engine.provider})`;
}

/** One line stating the window, labelled for assistive technology and tests. */
export function DataLossWindow(props: {
  plan: Pick<
    FailoverPlan,
    'mode' | 'dataLossWindowSeconds' | 'dataLossInEngine'
  >;
}) {
  // A drain moves no data: there is no window to state.
  if (props.plan.mode === 'drain') return null;
  return (
    <Typography variant="body2" gutterBottom aria-label="Data-loss window">
      Data-loss window: {dataLossWindowText(props.plan)}
    </Typography>
  );
}
