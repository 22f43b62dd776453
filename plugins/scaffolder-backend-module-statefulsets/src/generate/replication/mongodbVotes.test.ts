import { MAX_VOTERS, votersPerCluster } from './mongodbVotes';

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

describe('votersPerCluster', () => {
  it('keeps an odd set as it is', () => {
    expect(votersPerCluster([3, 2, 2], 0)).toEqual([3, 2, 2]);
    expect(votersPerCluster([3, 2], 0)).toEqual([3, 2]);
    expect(votersPerCluster([1], 0)).toEqual([1]);
  });

  it('takes the vote of 3+3 from the cluster other than the primary', () => {
    expect(votersPerCluster([3, 3], 0)).toEqual([3, 2]);
    expect(votersPerCluster([3, 3], 1)).toEqual([2, 3]);
  });

  it('turns 3+2+1 into 2+2+1, where no single site holds a majority', () => {
    expect(votersPerCluster([3, 2, 1], 0)).toEqual([2, 2, 1]);
  });

  it('never takes the last vote of the primary cluster, whose first pod initiates the set', () => {
    expect(votersPerCluster([1, 1, 1, 1], 0)[0]).toBe(1);
    expect(votersPerCluster([1, 8], 0)).toEqual([1, 6]);
    expect(votersPerCluster([1, 1], 0)).toEqual([1, 0]);
  });

  it('leaves an odd number of at most seven voters, spread over the sites', () => {
    for (const members of [
      [5, 5, 5],
      [9, 1],
      [4, 4],
      [2, 2, 2, 2],
      [7, 7, 7, 7],
    ]) {
      const votes = votersPerCluster(members, 0);
      expect(sum(votes) % 2).toBe(1);
      expect(sum(votes)).toBeLessThanOrEqual(MAX_VOTERS);
      votes.forEach((v, i) => expect(v).toBeLessThanOrEqual(members[i]));
    }
    expect(votersPerCluster([5, 5, 5], 0)).toEqual([3, 2, 2]);
  });
});
