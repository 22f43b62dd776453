/*
 * How a failover provider's fence and promotion read in a plan: in the
 * provider's own words when it gives them, otherwise in neutral words that
 * name the provider and claim no mechanism, so a plan never says "scaled to
 * zero" for a provider that does something else.
 */
import {
  describeWorkload,
  FailoverStepDescriber,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverReplicationProvider, WorkloadRef } from './types';

function undescribedSteps(
  provider: FailoverReplicationProvider,
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const by = `the ${provider.id} provider`;
  const srcW = describeWorkload(sides.sourceWorkload);
  const tgtW = describeWorkload(sides.targetWorkload);
  const fence = [`${srcW}: fenced by ${by}`];
  return {
    fenceMethod: `${provider.id}: ${srcW} in ${
      sides.sourceCluster ?? '?'
    } is fenced by ${by} (it does not describe how)`,
    fence,
    promote: [`${tgtW}: promoted by ${by}`],
    fenceOldSource: fence,
    promoteWithoutSource: [
      `${tgtW}: promoted by ${by} without the old primary`,
    ],
    ...(provider.reattach && {
      reattach: [`${srcW}: made a replica of ${sides.targetCluster} by ${by}`],
    }),
  };
}

/** A provider's fence and promotion in words: its own, or neutral ones naming it. */
export function describeProviderSteps(
  provider: FailoverReplicationProvider,
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  return provider.describeSteps?.(sides) ?? undescribedSteps(provider, sides);
}

/**
 * The words `planFailover` shows for a workload's failover: those of the
 * first provider that fails it over (the engine's own choice); undefined
 * when none does.
 */
export function failoverStepDescriber(
  providers: FailoverReplicationProvider[],
  workload: WorkloadRef | undefined,
  engine?: string,
): FailoverStepDescriber | undefined {
  const provider =
    workload && providers.find(p => p.supportsWorkload(workload, engine));
  if (!provider) return undefined;
  return sides => describeProviderSteps(provider, sides);
}
