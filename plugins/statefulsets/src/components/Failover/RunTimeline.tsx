/*
 * A run as a timeline for a post-incident review: a header with who ran
 * what, when, how long traffic took to move (RTO) and the lag and data-loss
 * window at fence time; then each step with its start, duration, outcome,
 * what it planned to change and, on demand, every write it made with the
 * fields as they were before. "Export JSON" downloads the run as the API
 * returned it.
 */
import { ReactNode, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import GetAppIcon from '@material-ui/icons/GetApp';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineOppositeContent from '@material-ui/lab/TimelineOppositeContent';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import {
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { outcomeLine, StepStatus } from './runStatus';
import {
  downloadRun,
  fenceFigures,
  fieldLines,
  secondsText,
  shortDuration,
  spokenDuration,
  stepDurationMs,
  stepOutcome,
  Tone,
  undoneObjects,
  undoText,
} from './timelineModel';

const toneColor = (theme: Theme, tone: Tone): string => {
  const dark = theme.palette.type === 'dark';
  const pick = (c: { light: string; dark: string }) =>
    dark ? c.light : c.dark;
  switch (tone) {
    case 'ok':
      return pick(theme.palette.success);
    case 'error':
      return pick(theme.palette.error);
    case 'warning':
      return pick(theme.palette.warning);
    case 'running':
      return pick(theme.palette.info);
    default:
      return theme.palette.text.secondary;
  }
};

const toneStyle = (theme: Theme, tone: Tone) => ({
  color: toneColor(theme, tone),
  borderColor: toneColor(theme, tone),
});

const useStyles = makeStyles(theme => ({
  timeline: { padding: 0, margin: theme.spacing(1, 0) },
  when: { flex: '0 0 11rem', paddingLeft: 0 },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: theme.spacing(1, 0),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0 },
  },
  code: {
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    margin: 0,
    paddingLeft: theme.spacing(2),
  },
  srOnly: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
  ok: toneStyle(theme, 'ok'),
  error: toneStyle(theme, 'error'),
  warning: toneStyle(theme, 'warning'),
  running: toneStyle(theme, 'running'),
  neutral: toneStyle(theme, 'neutral'),
  dot: { backgroundColor: 'transparent' },
}));

function When(props: { iso?: string; fallback: string }) {
  if (!props.iso) return <>{props.fallback}</>;
  return (
    <time dateTime={props.iso}>{new Date(props.iso).toLocaleString()}</time>
  );
}

/** A duration shown short and read out in words. */
function Duration(props: { ms: number }) {
  const classes = useStyles();
  return (
    <time dateTime={`PT${(props.ms / 1000).toFixed(3)}S`}>
      <span aria-hidden="true">took {shortDuration(props.ms)}</span>
      <span className={classes.srOnly}>took {spokenDuration(props.ms)}</span>
    </time>
  );
}

function RunHeader(props: { run: FailoverRunDetails }) {
  const { run } = props;
  const classes = useStyles();
  const fence = fenceFigures(run);
  // A switchover promotes only a target that caught up with the fenced
  // source: whatever the window was, nothing was lost.
  const status = (kind: string) => run.steps.find(s => s.kind === kind)?.status;
  const caughtUp =
    run.mode === 'switchover' &&
    status('wait-catch-up') === 'succeeded' &&
    status('promote') === 'succeeded';
  const facts: Array<[string, ReactNode]> = [
    ['Actor', run.actor],
    ['Started', <When iso={run.startedAt ?? run.createdAt} fallback="" />],
    ['Finished', <When iso={run.finishedAt} fallback="not yet" />],
  ];
  if (fence) {
    facts.push([
      fence.lagLabel,
      <>
        {secondsText(fence.lagSeconds)}
        {fence.lagObservedAt &&
          ` (read ${new Date(fence.lagObservedAt).toLocaleTimeString()})`}
      </>,
    ]);
    facts.push([
      fence.windowLabel,
      fence.windowSeconds === undefined || fence.windowSeconds === null
        ? secondsText(fence.windowSeconds)
        : `up to ${secondsText(fence.windowSeconds)} of writes${
            caughtUp
              ? `; none lost: ${run.targetCluster} caught up before its promotion`
              : ''
          }`,
    ]);
  } else {
    facts.push(['Data-loss window', 'none: a drain moves only traffic']);
  }
  return (
    <Box>
      <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
        <Typography variant="subtitle1" component="p" style={{ flex: 1 }}>
          <StepStatus status={run.status} /> · {outcomeLine(run)}
        </Typography>
        <Button
          size="small"
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={() => downloadRun(run)}
        >
          Export JSON
        </Button>
      </Box>
      {run.reason && (
        <Typography variant="body2">
          Forced by {run.actor} against a source that still answered: “
          {run.reason}”
        </Typography>
      )}
      <dl className={classes.facts} aria-label={`Facts of run ${run.id}`}>
        {facts.map(([term, value]) => (
          <Box key={term} display="contents">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </Box>
        ))}
      </dl>
    </Box>
  );
}

/** The step's writes and journaled figures, shown on demand. */
function StepDetails(props: { step: FailoverRunStep }) {
  const { step } = props;
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const changes = step.changes ?? [];
  const figures = [
    ...fieldLines(step.inputs ?? {}).map(l => `input ${l}`),
    ...fieldLines(step.outcome ?? {}).map(l => `outcome ${l}`),
  ];
  if (!changes.length && !figures.length) return null;
  const id = `mcss-run-step-${step.runId}-${step.index}`;
  const count = changes.length;
  const what = count
    ? `${count} object change${count === 1 ? '' : 's'}`
    : 'recorded details';
  return (
    <Box>
      <Button
        size="small"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide' : 'Show'} {what}
      </Button>
      <Collapse in={open}>
        <Box id={id}>
          <ul aria-label={`Changes of step ${step.index + 1}`}>
            {changes.map((change, i) => (
              <li key={i}>
                <Typography variant="body2">
                  {change.action} {change.object} in {change.cluster}:{' '}
                  {change.state} at {new Date(change.at).toLocaleTimeString()}
                  {change.undo && `; undo ${undoText(change)}`}
                </Typography>
                {fieldLines(change.previous).length > 0 && (
                  <pre className={classes.code}>
                    {`before: ${fieldLines(change.previous).join(
                      '\nbefore: ',
                    )}`}
                  </pre>
                )}
              </li>
            ))}
          </ul>
          {figures.length > 0 && (
            <pre className={classes.code}>{figures.join('\n')}</pre>
          )}
        </Box>
      </Collapse>
    </Box>
  );
}

/** What a rollback did with the step, in one line. */
function Compensation(props: { step: FailoverRunStep }) {
  const { step } = props;
  const objects = undoneObjects(step).join(', ');
  switch (step.compensation) {
    case 'compensated':
      return (
        <Typography variant="body2">
          Undone by the rollback{objects ? `: ${objects}` : ''}
        </Typography>
      );
    case 'pending':
      return (
        <Typography variant="body2">
          Repaired by the backend when the cluster answers again
          {objects ? `: ${objects}` : ''}
        </Typography>
      );
    case 'failed':
      return (
        <Typography variant="body2" color="error">
          Could not be undone: {step.compensationError ?? objects}
        </Typography>
      );
    case 'not-needed':
      return <Typography variant="body2">Nothing to undo</Typography>;
    default:
      return null;
  }
}

function StepItem(props: {
  run: FailoverRunDetails;
  step: FailoverRunStep;
  last: boolean;
}) {
  const { run, step, last } = props;
  const classes = useStyles();
  const outcome = stepOutcome(step);
  const ms = stepDurationMs(step);
  const planned = run.plan?.steps?.find(p => p.index === step.index)?.changes;
  const runStart = Date.parse(run.startedAt ?? run.createdAt);
  const offset = step.startedAt ? Date.parse(step.startedAt) - runStart : NaN;
  return (
    <TimelineItem>
      <TimelineOppositeContent className={classes.when}>
        <Typography variant="body2">
          {step.startedAt ? (
            <time dateTime={step.startedAt}>
              {new Date(step.startedAt).toLocaleTimeString()}
            </time>
          ) : (
            'not started'
          )}
        </Typography>
        <Typography variant="caption" color="textSecondary" component="p">
          {Number.isFinite(offset) && offset >= 0 && (
            <>T+{shortDuration(offset)} · </>
          )}
          {ms !== undefined && <Duration ms={ms} />}
          {ms === undefined && step.status === 'running' && 'in progress'}
        </Typography>
      </TimelineOppositeContent>
      <TimelineSeparator>
        <TimelineDot
          variant="outlined"
          className={`${classes.dot} ${classes[outcome.tone]}`}
        />
        {!last && <TimelineConnector />}
      </TimelineSeparator>
      <TimelineContent>
        <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
          <Typography variant="subtitle2" component="h4">
            {step.index + 1}. {step.title}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {step.cluster === '*'
              ? 'every cluster holding the route'
              : step.cluster}
          </Typography>
          <Chip
            size="small"
            variant="outlined"
            label={outcome.label}
            className={classes[outcome.tone]}
          />
        </Box>
        {planned && planned.length > 0 && (
          <Typography variant="body2" color="textSecondary">
            {planned.join('; ')}
          </Typography>
        )}
        {step.error && (
          <Typography variant="body2" color="error">
            {step.error}
          </Typography>
        )}
        <Compensation step={step} />
        <StepDetails step={step} />
      </TimelineContent>
    </TimelineItem>
  );
}

/**
 * A run's steps as a timeline, with the run's figures and its JSON export;
 * `children` (the run's notes) sit between the header and the steps.
 */
export function RunTimeline(props: {
  run: FailoverRunDetails;
  children?: ReactNode;
}) {
  const { run } = props;
  const classes = useStyles();
  return (
    <Box>
      <RunHeader run={run} />
      {props.children}
      <Timeline
        align="left"
        className={classes.timeline}
        aria-label="Run timeline"
      >
        {run.steps.map((step, i) => (
          <StepItem
            key={step.index}
            run={run}
            step={step}
            last={i === run.steps.length - 1}
          />
        ))}
      </Timeline>
    </Box>
  );
}
