import { EngineRoleReading } from './engineRoles';
import { linksFollowingEngine } from './engineLinks';
import { ReplicationLink } from './types';

const link = (from: string, to: string): ReplicationLink => ({
  from,
  to,
  workload: 'inventory',
  lagSeconds: 0.4,
  healthy: true,
  provider: 'annotations',
});

const reading = (
  cluster: string,
  pods: EngineRoleReading['pods'],
): EngineRoleReading => ({
  cluster,
  namespace: 'db',
  workload: 'inventory',
  source: 'postgres-exporter',
  pods,
});

describe('linksFollowingEngine', () => {
  it('keeps the declared links the engine agrees with', () => {
    const links = [link('us-east', 'eu-west')];
    expect(
      linksFollowingEngine(links, [
        reading('us-east', {
          'inventory-20': 'primary',
          'inventory-21': 'replica',
        }),
        reading('eu-west', { 'inventory-10': 'replica' }),
      ]),
    ).toEqual(links);
  });

  it('turns a link round after a switchover the declarations still deny', () => {
    const links = linksFollowingEngine(
      [link('us-east', 'eu-west')],
      [
        reading('us-east', { 'inventory-20': 'replica' }),
        reading('eu-west', { 'inventory-10': 'primary' }),
      ],
    );
    expect(links).toEqual([
      {
        from: 'eu-west',
        to: 'us-east',
        workload: 'inventory',
        lagSeconds: null,
        healthy: false,
        provider: 'postgres-exporter',
        reason:
          'lag unknown: the engine reports us-east replicating from eu-west; no lag was read for it',
      },
    ]);
  });

  it('adds the links of a replica set that declares none, and a replica re-pointed keeps the declared provider', () => {
    const links = linksFollowingEngine(
      [{ ...link('us-east', 'eu-central'), provider: 'mongodb-replica-set' }],
      [
        reading('eu-west', {
          'inventory-10': 'primary',
          'inventory-11': 'replica',
        }),
        reading('eu-central', { 'inventory-0': 'replica' }),
        reading('us-east', { 'inventory-20': 'replica' }),
      ],
    );
    expect(links.map(l => [l.from, l.to, l.provider, l.reason])).toEqual([
      [
        'eu-west',
        'eu-central',
        'mongodb-replica-set',
        'lag unknown: the engine reports eu-central replicating from eu-west, not from us-east as declared',
      ],
      [
        'eu-west',
        'us-east',
        'postgres-exporter',
        'lag unknown: the engine reports us-east replicating from eu-west; no lag was read for it',
      ],
    ]);
  });

  it('leaves the declared links alone when the engine names no single primary side', () => {
    const links = [link('us-east', 'eu-west')];
    const both = [
      reading('us-east', { 'inventory-20': 'primary' }),
      reading('eu-west', { 'inventory-10': 'primary' }),
    ];
    expect(linksFollowingEngine(links, both)).toEqual(links);
    expect(linksFollowingEngine(links, [])).toEqual(links);
  });
});
