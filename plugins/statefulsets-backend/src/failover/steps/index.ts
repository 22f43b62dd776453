/*
 * Every kind of failover step and its handler. A `Record` over the step
 * kinds: adding a kind to the common package fails to compile here until it
 * has a handler.
 */
import { FailoverStepKind } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  fence,
  fenceOldSource,
  promote,
  reattach,
  verifyStep,
  waitCatchUp,
} from './databaseSteps';
import { drainTraffic, fenceTraffic, moveTraffic } from './trafficSteps';
import { StepHandler } from './types';

export const STEP_HANDLERS: Record<FailoverStepKind, StepHandler> = {
  'fence-traffic': fenceTraffic,
  fence,
  'wait-catch-up': waitCatchUp,
  promote,
  'move-traffic': moveTraffic,
  'fence-old-source': fenceOldSource,
  reattach,
  'drain-traffic': drainTraffic,
  verify: verifyStep,
};

export { redistribute } from './trafficSteps';
export type {
  AttentionNames,
  RecordInputs,
  StepHandler,
  StepServices,
} from './types';
