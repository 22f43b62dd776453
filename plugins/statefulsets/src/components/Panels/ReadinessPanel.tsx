/*
 * DR readiness: the verdict, and each check with its evidence and what to do
 * about it.
 */
import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import {
  CheckStatus,
  DrReadiness,
  ReadinessCheck,
} from '@multicluster/backstage-plugin-statefulsets-common';

function StatusIcon(props: { status: CheckStatus }) {
  if (props.status === 'pass') return <StatusOK />;
  if (props.status === 'warn') return <StatusWarning />;
  return <StatusError />;
}

/** A status icon followed by its text on the same line. */
export function WithStatus(props: {
  status: CheckStatus;
  children: ReactNode;
}) {
  return (
    <Box component="span" display="inline-flex" alignItems="center">
      <StatusIcon status={props.status} />
      <span>{props.children}</span>
    </Box>
  );
}

/** The verdict in words, with its status icon. */
export function Verdict(props: { readiness: DrReadiness }) {
  const { verdict } = props.readiness;
  const statusOf: Record<DrReadiness['verdict'], CheckStatus> = {
    ready: 'pass',
    degraded: 'warn',
    'not-ready': 'fail',
  };
  const status = statusOf[verdict];
  return (
    <WithStatus status={status}>
      {verdict === 'not-ready' ? 'not ready' : verdict}
    </WithStatus>
  );
}

function remedyOf(check: ReadinessCheck): string | undefined {
  return (check as ReadinessCheck & { remedy?: string }).remedy;
}

/** The DR readiness panel of an entity. */
export function ReadinessPanel(props: { readiness: DrReadiness }) {
  const { readiness } = props;
  return (
    <InfoCard
      title="DR readiness"
      subheader={
        <Typography variant="h6" component="p">
          <Verdict readiness={readiness} />
        </Typography>
      }
    >
      <List dense aria-label="Readiness checks">
        {readiness.checks.map(check => (
          <ListItem key={check.id} alignItems="flex-start">
            <ListItemText
              primary={
                <WithStatus status={check.status}>{check.title}</WithStatus>
              }
              secondary={
                <>
                  {check.evidence}
                  {check.status !== 'pass' && remedyOf(check) && (
                    <>
                      <br />
                      What to do: {remedyOf(check)}
                    </>
                  )}
                </>
              }
            />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}
