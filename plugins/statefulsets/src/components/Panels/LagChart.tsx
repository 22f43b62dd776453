/*
 * The lag of one replication link over the last hour or day: the lag as a
 * line, the entity's failover lag bound as a dashed line, and each failover
 * run as a vertical marker labelled with its outcome. Colours come from the
 * MUI theme's palette, so the chart reads in the light and the dark theme.
 */
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { Theme, useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { LagHistory, LagHistoryWindow } from '../../api';

type LinkHistory = LagHistory['links'][number];
type Run = LagHistory['runs'][number];

/** What one chart draws. */
export interface LagChartProps {
  link: LinkHistory;
  thresholdSeconds: number;
  runs: Run[];
  window: LagHistoryWindow;
  /** Start and end of the window, in milliseconds since the epoch. */
  from: number;
  to: number;
  /** A fixed width in pixels; without it the chart takes its container's width. */
  width?: number;
  height?: number;
}

const WINDOW_WORDS: Record<LagHistoryWindow, string> = {
  '1h': 'last hour',
  '1d': 'last day',
};

/** The accessible name of a link's chart. */
export function lagChartName(
  link: Pick<LinkHistory, 'from' | 'to'>,
  window: LagHistoryWindow,
): string {
  return `Replication lag ${link.from} → ${link.to}, ${WINDOW_WORDS[window]}`;
}

/** The colour of a run's marker: how the run ended. */
function runColour(theme: Theme, status: Run['status']): string {
  switch (status) {
    case 'succeeded':
      return theme.palette.success.main;
    case 'rolled-back':
    case 'rolled-back-with-pending-repair':
      return theme.palette.warning.main;
    case 'failed':
    case 'needs-attention':
      return theme.palette.error.main;
    default:
      return theme.palette.info.main;
  }
}

/** Time-axis ticks on round times: every 10 minutes of an hour, 4 hours of a day. */
export function timeTicks(
  from: number,
  to: number,
  window: LagHistoryWindow,
): number[] {
  const step = window === '1h' ? 10 * 60_000 : 4 * 60 * 60_000;
  // Round in local time, so a day's ticks fall on the reader's hours.
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (
    let t = Math.ceil((from - offset) / step) * step + offset;
    t <= to;
    t += step
  ) {
    ticks.push(t);
  }
  return ticks;
}

function timeLabel(t: number, window: LagHistoryWindow): string {
  const date = new Date(t);
  const time = date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return window === '1h'
    ? time
    : `${date.toLocaleDateString(undefined, {
        month: 'short',
        day: 'numeric',
      })} ${time}`;
}

/** The top of the lag axis and its tick step: round numbers above the threshold and the highest lag. */
export function lagAxis(
  thresholdSeconds: number,
  highestSeconds: number,
): { top: number; step: number } {
  const top = Math.max(thresholdSeconds * 1.25, highestSeconds * 1.1, 1);
  const unit = 10 ** Math.floor(Math.log10(top)) / 10;
  const step =
    [1, 2, 5, 10, 20, 50].map(m => m * unit).find(s => top / s <= 5) ??
    100 * unit;
  return { top: Math.ceil(top / step) * step, step };
}

/** A run's place on the time axis: when it started (or was created). */
const runTime = (run: Run) => Date.parse(run.startedAt ?? run.createdAt);

/** One link's lag over the window, or why there is nothing to draw yet. */
export function LagChart(props: LagChartProps) {
  const theme = useTheme();
  const { link, thresholdSeconds, window, from, to } = props;
  const height = props.height ?? 180;
  const name = lagChartName(link, window);
  const known = link.samples.filter(s => s.lagSeconds !== null);
  if (known.length === 0) {
    return (
      <Box role="img" aria-label={name} py={2}>
        <Typography variant="body2" color="textSecondary">
          No lag samples for this window yet
          {link.reason ? `: ${link.reason}` : '.'}
        </Typography>
      </Box>
    );
  }
  const axis = lagAxis(
    thresholdSeconds,
    Math.max(...known.map(s => s.lagSeconds as number)),
  );
  const ticks = Array.from(
    { length: Math.round(axis.top / axis.step) + 1 },
    (_, i) => Math.round(i * axis.step * 1000) / 1000,
  );
  const text = theme.palette.text.secondary;
  const runs = props.runs.filter(run => {
    const t = runTime(run);
    return t >= from && t <= to;
  });
  const chart = (
    <LineChart
      data={link.samples}
      width={props.width}
      height={props.width ? height : undefined}
      margin={{ top: 16, right: 16, bottom: 0, left: 0 }}
    >
      <CartesianGrid stroke={theme.palette.divider} strokeDasharray="3 3" />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        ticks={timeTicks(from, to, window)}
        tickFormatter={(t: number) => timeLabel(t, window)}
        stroke={theme.palette.divider}
        tick={{ fill: text, fontSize: 12 }}
      />
      <YAxis
        domain={[0, axis.top]}
        ticks={ticks}
        width={48}
        unit=" s"
        stroke={theme.palette.divider}
        tick={{ fill: text, fontSize: 12 }}
      />
      <Tooltip
        labelFormatter={(t: number) => timeLabel(t, window)}
        formatter={(value: number) => [`${value} s`, 'lag']}
        contentStyle={{
          background: theme.palette.background.paper,
          borderColor: theme.palette.divider,
          color: theme.palette.text.primary,
        }}
      />
      <ReferenceLine
        y={thresholdSeconds}
        stroke={theme.palette.error.main}
        strokeDasharray="6 4"
        ifOverflow="extendDomain"
        label={{
          value: `max failover lag ${thresholdSeconds} s`,
          // Recent samples fill the right: the label stays clear of them.
          position: 'insideTopLeft',
          fill: theme.palette.error.main,
          fontSize: 12,
        }}
      />
      {runs.map(run => (
        <ReferenceLine
          key={run.id}
          x={runTime(run)}
          stroke={runColour(theme, run.status)}
          label={{
            value: `${run.mode} → ${run.targetCluster}: ${run.status}`,
            // Written towards the middle, so a recent run's stays inside.
            position:
              runTime(run) > (from + to) / 2
                ? 'insideTopRight'
                : 'insideTopLeft',
            fill: runColour(theme, run.status),
            fontSize: 12,
          }}
        />
      ))}
      <Line
        type="monotone"
        dataKey="lagSeconds"
        name="lag"
        stroke={theme.palette.primary.main}
        strokeWidth={2}
        dot={false}
        connectNulls={false}
        isAnimationActive={false}
      />
    </LineChart>
  );
  return (
    <Box role="img" aria-label={name}>
      {props.width ? (
        chart
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          {chart}
        </ResponsiveContainer>
      )}
    </Box>
  );
}
