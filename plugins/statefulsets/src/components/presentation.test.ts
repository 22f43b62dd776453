import {
  describePod,
  lagLabel,
  linkSourceLabel,
  podHealth,
  shortAccessMode,
} from './presentation';

const pod = {
  name: 'db-0',
  phase: 'Running',
  ready: true,
  restarts: 1,
  role: 'primary' as const,
};

describe('presentation', () => {
  it('tells ready, starting and failed pods apart', () => {
    expect(podHealth(pod)).toBe('ready');
    expect(podHealth({ ...pod, ready: false, phase: 'Pending' })).toBe(
      'starting',
    );
    expect(podHealth({ ...pod, ready: false, phase: 'Failed' })).toBe('failed');
  });

  it('describes a pod in one line', () => {
    expect(describePod(pod)).toBe('db-0, Running, ready, primary, 1 restart');
    expect(describePod({ ...pod, role: 'unknown', restarts: 2 })).toBe(
      'db-0, Running, ready, 2 restarts',
    );
  });

  it('shortens access modes and formats lag', () => {
    expect(shortAccessMode('ReadWriteMany')).toBe('RWX');
    expect(shortAccessMode('Other')).toBe('Other');
    expect(lagLabel({ lagSeconds: 1.26 })).toBe('lag 1.3 s');
    expect(lagLabel({ lagSeconds: null })).toBe('lag unknown');
  });
});

describe('linkSourceLabel', () => {
  it('names the operator or chart a link was read from and the lag source', () => {
    expect(
      linkSourceLabel({ provider: 'strimzi', lagSource: 'prometheus' }),
    ).toBe('link from Strimzi · lag from prometheus');
    expect(linkSourceLabel({ provider: 'chart-replication-env' })).toBe(
      "link from the chart's replication settings",
    );
    expect(linkSourceLabel({ provider: 'cloudnative-pg' })).toBe(
      'link from CloudNativePG',
    );
  });

  it('says nothing more for links from the replication annotations', () => {
    expect(linkSourceLabel({ provider: 'generic' })).toBe('');
    expect(
      linkSourceLabel({ provider: 'generic', lagSource: 'prometheus' }),
    ).toBe('lag from prometheus');
  });
});
