/*
 * How many voting members each cluster of a MongoDB replica set gets. A
 * replica set allows at most seven voters, and an even number of them buys
 * no extra failure tolerance while making ties possible, so members are
 * made non-voting one at a time until the count is odd and at most seven.
 */

/** The most voting members a replica set allows. */
export const MAX_VOTERS = 7;

/** How many clusters can be lost, one at a time, with a voting majority left. */
function survivableSiteLosses(votes: number[]): number {
  const total = votes.reduce((a, b) => a + b, 0);
  return votes.filter(v => (total - v) * 2 > total).length;
}

/**
 * The cluster that gives up a vote: the one whose loss of a vote leaves the
 * most clusters whose loss the set survives (e.g. 3+2+1 becomes 2+2+1, where
 * no site holds a majority, rather than 3+1+1). On a tie (3+3 can only
 * become 3+2 either way) a cluster other than the primary's gives it up, so
 * the primary's site keeps the majority and losing another site never takes
 * the primary down; then the cluster with the most voters, then the later.
 */
function clusterGivingUpAVote(votes: number[], primary: number): number {
  const ranked = votes
    .map((v, i) => {
      const fewer = votes.map((w, j) => (j === i ? w - 1 : w));
      return {
        i,
        v,
        key: [survivableSiteLosses(fewer), i === primary ? 0 : 1, v, i],
      };
    })
    // The primary cluster keeps a voter: its first pod initiates the set.
    .filter(c => c.v > (c.i === primary ? 1 : 0))
    .sort((a, b) => {
      const n = a.key.findIndex((k, at) => k !== b.key[at]);
      return n < 0 ? 0 : b.key[n] - a.key[n];
    });
  return ranked[0].i;
}

/**
 * The voters of each cluster, given its member count and which cluster holds
 * the primary: an odd total of at most seven.
 */
export function votersPerCluster(members: number[], primary: number): number[] {
  const votes = [...members];
  const total = () => votes.reduce((a, b) => a + b, 0);
  while (total() > MAX_VOTERS || (total() > 0 && total() % 2 === 0)) {
    votes[clusterGivingUpAVote(votes, primary)] -= 1;
  }
  return votes;
}
