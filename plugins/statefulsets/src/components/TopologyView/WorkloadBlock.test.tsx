import { summariseVolumes } from './WorkloadBlock';

const claim = (name: string, bound = true) => ({
  claimName: name,
  size: '10Gi',
  storageClass: 'gp3',
  accessModes: ['ReadWriteOnce'],
  bound,
  sharedWith: [],
});

describe('summariseVolumes', () => {
  it('counts claims that look alike', () => {
    expect(
      summariseVolumes([claim('a'), claim('b'), claim('c', false)]),
    ).toEqual(['2 × 10Gi gp3 RWO bound', '1 × 10Gi gp3 RWO pending']);
  });
});
