/*
 * The REST calls the Elasticsearch provider makes, step by step, so the
 * plan shows exactly what each step runs and where (no secrets: the
 * password stays a variable of the pod's shell).
 */
import {
  describeWorkload,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';

function firstPod(w: FailoverStepSides['sourceWorkload']): string {
  return w ? `${w.name}-${w.ordinalsStart}` : '?';
}

/** The Elasticsearch provider's steps, each with the calls it makes and where. */
export function describeElasticsearchSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const source = sides.sourceCluster ?? '?';
  const target = sides.targetCluster;
  const src = `${source}/${firstPod(sides.sourceWorkload)}`;
  const tgt = `${target}/${firstPod(sides.targetWorkload)}`;
  const curl = 'curl -s localhost:9200';
  const promote = [
    `${tgt}: ${curl} GET /_all/_ccr/info (the follower indices)`,
    `${tgt}: for each follower index: POST /<index>/_ccr/pause_follow; POST /<index>/_close; POST /<index>/_ccr/unfollow; POST /<index>/_open (it becomes a writable leader index)`,
    `${tgt}: DELETE /_ccr/auto_follow/<name> for each auto-follow pattern reading ${source}`,
  ];
  const fence = [
    `${src}: ${curl} GET /_cat/indices?format=json and GET /_all/_ccr/info (the leader indices)`,
    `${src}: PUT /<index>/_settings {"index.blocks.write":true} for each leader index (the pods keep running; reads go on)`,
  ];
  const follow = [
    `${src}: GET /_remote/info; PUT /_cluster/settings {"persistent":{"cluster":{"remote":{"${target}":{"mode":"proxy","proxy_address":<${target}'s transport address>}}}}} unless a remote cluster already leads to ${target}`,
    `${src}: for each index ${target} leads: DELETE /<index> then PUT /<index>/_ccr/follow {"remote_cluster":<alias>,"leader_index":<index>} (Elasticsearch cannot turn an existing index into a follower; the follower is recovered from ${target})`,
    `${src}: PUT /_ccr/auto_follow/<alias> {"remote_cluster":<alias>,"leader_index_patterns":[…],"follow_index_pattern":"{{leader_index}}"}`,
  ];
  return {
    fenceMethod: `elasticsearch-ccr: ${describeWorkload(
      sides.sourceWorkload,
    )} in ${source} is fenced with index.blocks.write on its leader indices, then ${target} waits until each follower index's global checkpoint equals its leader's (GET /_ccr/stats) before its follower indices are promoted`,
    fence,
    promote: [
      `${tgt}: GET /_ccr/stats until follower_global_checkpoint = leader_max_seq_no for every follower index`,
      ...promote,
    ],
    fenceOldSource: [
      `${src}: PUT /<index>/_settings {"index.blocks.write":true} for each leader index once it answers; it follows ${tgt} only if no index has operations past the checkpoint ${target} was promoted at (GET /_stats?level=shards), else they are reported`,
    ],
    promoteWithoutSource: [
      ...promote,
      `data-loss window: the operations ${target}'s followers lacked at the last reading (sum of leader_max_seq_no − follower_global_checkpoint in GET /_ccr/stats), recorded with the run`,
    ],
    reattach: [
      `refused if an index of ${src} has operations (max_seq_no, GET /_stats?level=shards) past ${target}'s`,
      ...follow,
    ],
  };
}
