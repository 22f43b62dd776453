import { lossWindow, requireNoErrant } from './mysqlErrant';
import { MysqlServer } from './mysqlExec';
import { answerWithin } from './ExecEngineProvider';
import {
  isWritablePrimary,
  lagOfChannels,
  parseServerState,
  runsOnlyFrom,
} from './mysqlState';
import { oldSourceProblems, primaryProblems } from './mysqlWording';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4a22fb58-82db-22f2-af44-d91bb0530673';

const server = (pod: string, cluster: string) =>
  ({ pod, side: { cluster } } as unknown as MysqlServer);

describe('what a MySQL server reports of itself', () => {
  it('reads the flags and a GTID set printed over several lines', () => {
    expect(
      parseServerState(
        [
          '*************************** 1. row ***************************',
          'super_read_only: 1',
          '      read_only: 1',
          `  gtid_executed: ${A}:1-10,`,
          `${B}:1-3`,
          '',
        ].join('\n'),
      ),
    ).toEqual({
      superReadOnly: true,
      readOnly: true,
      gtidExecuted: `${A}:1-10,${B}:1-3`,
    });
    expect(parseServerState('')).toEqual({
      superReadOnly: false,
      readOnly: false,
      gtidExecuted: '',
    });
  });

  it('takes the largest lag, and none while a channel is not measured', () => {
    expect(
      lagOfChannels([
        { Seconds_Behind_Source: '2' },
        { Seconds_Behind_Source: '7' },
      ]),
    ).toBe(7);
    expect(
      lagOfChannels([
        { Seconds_Behind_Source: '2' },
        { Seconds_Behind_Source: null },
      ]),
    ).toBeNull();
    expect(lagOfChannels([])).toBeNull();
  });

  it('keeps a running channel from the new primary only', () => {
    const channel = {
      Channel_Name: 'eu-west',
      Replica_IO_Running: 'Yes',
      Replica_SQL_Running: 'Yes',
    };
    expect(runsOnlyFrom([channel], 'eu-west')).toBe(true);
    expect(runsOnlyFrom([channel], 'eu-central')).toBe(false);
    expect(
      runsOnlyFrom([{ ...channel, Replica_SQL_Running: 'No' }], 'eu-west'),
    ).toBe(false);
    expect(runsOnlyFrom([channel, channel], 'eu-west')).toBe(false);
  });

  it('calls a server a promoted primary when writable without channels', () => {
    const writable = {
      superReadOnly: false,
      readOnly: false,
      gtidExecuted: '',
    };
    expect(isWritablePrimary(writable, [])).toBe(true);
    expect(isWritablePrimary({ ...writable, readOnly: true }, [])).toBe(false);
    expect(isWritablePrimary(writable, [{ Channel_Name: 'x' }])).toBe(false);
    expect(primaryProblems(server('db-10', 'eu-west'), writable, [])).toEqual(
      [],
    );
    expect(
      primaryProblems(
        server('db-10', 'eu-west'),
        { ...writable, superReadOnly: true },
        [{ Source_Host: 'db-0.eu-central' }],
      ),
    ).toEqual([
      'eu-west (db-10) is still read-only',
      'eu-west (db-10) still replicates from db-0.eu-central',
    ]);
    expect(oldSourceProblems(server('db-0', 'eu-central'), writable)).toEqual([
      'eu-central (db-0) still takes writes',
    ]);
  });

  it('gives up on a read that does not answer in time', async () => {
    expect(await answerWithin(Promise.resolve(1), 1000)).toBe(1);
    expect(await answerWithin(Promise.reject(new Error('down')), 1000)).toBe(
      undefined,
    );
    expect(await answerWithin(new Promise(() => {}), 10)).toBeUndefined();
  });
});

describe('transactions one server has that another lacks', () => {
  const state = (gtidExecuted: string) => ({
    superReadOnly: false,
    readOnly: false,
    gtidExecuted,
  });

  it('counts the data-loss window, unknown without the source set', () => {
    expect(lossWindow(state(`${A}:1-8`), `${A}:1-10`)).toEqual({
      sourceGtidExecuted: `${A}:1-10`,
      lostTransactions: 2,
      lostGtids: `${A}:9-10`,
    });
    expect(lossWindow(state(`${A}:1-8`), undefined)).toEqual({
      sourceGtidExecuted: null,
      lostTransactions: null,
    });
  });

  it('refuses an old source with errant transactions and says how to repair it', () => {
    const old = server('db-0', 'eu-central');
    const primary = server('db-10', 'eu-west');
    expect(() =>
      requireNoErrant(old, state(`${A}:1-5`), primary, state(`${A}:1-9`)),
    ).not.toThrow();
    expect(() =>
      requireNoErrant(
        old,
        state(`${A}:1-5,${B}:1-2`),
        primary,
        state(`${A}:1-9`),
      ),
    ).toThrow(
      `eu-central (db-0) has 2 errant transaction(s) that eu-west never executed (${B}:1-2); replicating would diverge`,
    );
  });
});
