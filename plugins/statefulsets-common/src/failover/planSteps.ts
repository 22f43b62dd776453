/*
 * The ordered steps of a plan: which step runs in which cluster and what it
 * changes, per mode. The order and the traffic changes are the planner's;
 * how the source is fenced and the target promoted is in the replication
 * provider's own words.
 */
import { FailoverStepDescriptions } from './stepDescriptions';
import {
  FailoverMode,
  FailoverPlan,
  FailoverStepKind,
  PlannedStep,
} from './types';

/** What the steps of a plan are built from. */
export interface PlanStepsInput {
  mode: FailoverMode;
  source?: string;
  target: string;
  /** The provider's fence and promotion, in words. */
  describedSteps: FailoverStepDescriptions;
  routing: FailoverPlan['routing'];
  trafficObject?: string;
  weights: Record<string, number>;
}

type StepAdder = (
  kind: FailoverStepKind,
  title: string,
  cluster: string,
  changes: string[],
  beforePromotion: boolean,
) => void;

/** Moves all traffic to the promoted target. */
function addMoveTraffic(s: PlanStepsInput, route: string, add: StepAdder) {
  let changes = [
    'no route: clients must be redirected to the new primary by hand',
  ];
  if (s.routing === 'istio') {
    changes = [
      `${route} in every cluster holding it: ${s.target} weight 100, others 0`,
    ];
  } else if (s.routing === 'mcs') {
    changes = [
      `ServiceExport created in ${s.target}`,
      `ServiceExport deleted in ${s.source ?? '?'}`,
    ];
  }
  add('move-traffic', `Move traffic to ${s.target}`, '*', changes, false);
}

function drainSteps(s: PlanStepsInput, route: string, add: StepAdder) {
  const others = Object.keys(s.weights).filter(c => c !== s.target);
  add(
    'drain-traffic',
    `Drain ${s.target}`,
    '*',
    [
      `${route}: ${s.target} weight 0, its share of ${
        s.weights[s.target] ?? 0
      } spread over ${others.join(', ') || 'the others'}`,
    ],
    true,
  );
  add(
    'verify',
    'Verify the route',
    '*',
    [`read back the weights: ${s.target} gets 0`],
    true,
  );
}

function switchoverSteps(s: PlanStepsInput, route: string, add: StepAdder) {
  const src = s.source ?? '?';
  const described = s.describedSteps;
  if (s.routing === 'istio') {
    add(
      'fence-traffic',
      `Take traffic off ${src}`,
      '*',
      [
        `${route}: ${src} weight 0; its share goes to ${s.target}, which refuses writes until promoted (an all-zero route is invalid)`,
      ],
      true,
    );
  }
  add('fence', `Fence ${src}`, src, described.fence, true);
  add(
    'wait-catch-up',
    `Wait for ${s.target} to catch up`,
    s.target,
    [`none; waits (bounded) until the lag behind ${src} is 0`],
    true,
  );
  add('promote', `Promote ${s.target}`, s.target, described.promote, false);
  addMoveTraffic(s, route, add);
  if (described.reattach) {
    add(
      'reattach',
      `Make ${src} a replica of ${s.target}`,
      src,
      described.reattach,
      false,
    );
  }
  add(
    'verify',
    'Verify',
    s.target,
    ['read back: target pods ready, traffic applied, roles flipped'],
    false,
  );
}

function emergencySteps(s: PlanStepsInput, route: string, add: StepAdder) {
  const src = s.source ?? '?';
  // Fence first, promote last: the old side's clients and the old side
  // itself are cut off before a second primary exists, so an old primary
  // that answers (or comes back) never takes writes beside the new one.
  if (s.routing !== 'none') {
    add(
      'fence-traffic',
      `Take traffic off ${src}`,
      '*',
      s.routing === 'istio'
        ? [
            `${route}: ${src} weight 0; its share goes to ${s.target}, which refuses writes until promoted`,
            'copies in clusters that are down are corrected with the deferred fence',
          ]
        : [
            `ServiceExport deleted in ${src}, created in ${s.target}`,
            'clusters that are down are corrected with the deferred fence',
          ],
      true,
    );
  }
  add(
    'fence-old-source',
    `Fence ${src}`,
    src,
    [
      ...s.describedSteps.fenceOldSource,
      'applied now if it answers, otherwise recorded as a deferred fence applied as soon as it answers again',
    ],
    true,
  );
  add(
    'promote',
    `Promote ${s.target} without the old primary`,
    s.target,
    s.describedSteps.promoteWithoutSource,
    false,
  );
  addMoveTraffic(s, route, add);
  add(
    'verify',
    'Verify',
    s.target,
    ['read back: target pods ready, traffic applied, target active'],
    false,
  );
}

/** The plan's steps, numbered in the order they run. */
export function planSteps(s: PlanStepsInput): PlannedStep[] {
  const steps: Array<Omit<PlannedStep, 'index'>> = [];
  const add: StepAdder = (kind, title, cluster, changes, beforePromotion) =>
    steps.push({
      kind,
      title,
      cluster,
      changes: [...changes],
      beforePromotion,
    });
  const route = s.trafficObject ?? 'the route';
  if (s.mode === 'drain') drainSteps(s, route, add);
  else if (s.mode === 'switchover') switchoverSteps(s, route, add);
  else emergencySteps(s, route, add);
  return steps.map((step, index) => ({ ...step, index }));
}
