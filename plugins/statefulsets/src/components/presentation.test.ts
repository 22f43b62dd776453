import {
  describePod,
  lagLabel,
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
