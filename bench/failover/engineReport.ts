/*
 * The engine-native switchover benchmark's report: runs the cases
 * `BENCH_PROVIDER` names one after the other, then prints one table (per
 * engine p50/p95/max of the total RTO, the catch-up wait and the RTO
 * without it, the data-loss window each run recorded at promotion, and how
 * many runs succeeded), the runs that failed with their errors, and
 * whether each engine stayed under the acceptance bound of 2 s after
 * catch-up.
 */
import { casesFor } from './engineCases';
import { benchEngine, EngineResult, recordedLoss } from './engineSwitchovers';
import { WorldSpeed } from './engineWorlds';
import { catchUpMs, pct, rtoExclCatchUpMs } from './stats';

/** The product's bound on a switchover's RTO once the replica caught up. */
const BOUND_MS = 2000;

const ms = (values: number[]) =>
  values.length
    ? [50, 95]
        .map(p => pct(values, p).toFixed(0))
        .concat(Math.max(...values).toFixed(0))
        .join(' / ')
    : 'n/a';

/**
 * `max 0 transactions (10 of 10 at promotion)`: the largest window the
 * runs recorded, where, and how many were unknown.
 */
function lossColumn(r: EngineResult): string {
  const recorded = r.succeeded
    .map(recordedLoss)
    .filter((l): l is NonNullable<typeof l> => l !== undefined);
  if (!recorded.length) {
    return r.succeeded.length ? 'not recorded' : 'n/a';
  }
  const known = recorded
    .map(l => l.amount)
    .filter((a): a is number => a !== null);
  const max = known.length ? Math.max(...known) : 'unknown';
  const where = [...new Set(recorded.map(l => `at ${l.at}`))].join(' / ');
  const unknown = recorded.length - known.length;
  return `max ${max} ${recorded[0].unit} (${recorded.length} of ${
    r.succeeded.length
  } ${where}${unknown ? `, ${unknown} unknown` : ''})`;
}

function printTable(results: EngineResult[], runs: number, speed: WorldSpeed) {
  console.log(
    `Engine-native switchover RTO in the simulator, ${runs} runs per engine, alternating direction (plugin over the failover API, built-in providers, SQLite journal, ${speed.tickMs} ms reconcile rounds); ms as p50 / p95 / max`,
  );
  const head = [
    'engine'.padEnd(14),
    'database (clusters)'.padEnd(42),
    'ok'.padEnd(7),
    'total'.padEnd(20),
    'catch-up wait'.padEnd(20),
    'excl. catch-up'.padEnd(20),
    'data-loss window recorded',
  ];
  console.log(head.join(''));
  for (const r of results) {
    const runsOk = r.succeeded;
    console.log(
      [
        r.case.id.padEnd(14),
        `${r.case.entity} (${r.case.clusters.join(' ⇄ ')})`.padEnd(42),
        `${runsOk.length}/${r.attempts}`.padEnd(7),
        ms(runsOk.map(x => x.rtoMs ?? NaN)).padEnd(20),
        ms(runsOk.map(catchUpMs)).padEnd(20),
        ms(runsOk.map(rtoExclCatchUpMs)).padEnd(20),
        lossColumn(r),
      ].join(''),
    );
  }
}

/** Where the time went: each step's p50 duration, in the order of the steps. */
function printSteps(results: EngineResult[]) {
  console.log('');
  console.log('p50 duration of each step (ms):');
  for (const r of results) {
    const byKind = new Map<string, number[]>();
    for (const run of r.succeeded) {
      for (const s of run.steps) {
        if (!s.startedAt || !s.finishedAt) continue;
        const list = byKind.get(s.kind) ?? [];
        list.push(Date.parse(s.finishedAt) - Date.parse(s.startedAt));
        byKind.set(s.kind, list);
      }
    }
    const parts = [...byKind].map(
      ([kind, values]) => `${kind} ${pct(values, 50).toFixed(0)}`,
    );
    console.log(`  ${r.case.id.padEnd(14)}${parts.join(', ') || 'n/a'}`);
  }
}

function printFailures(results: EngineResult[]) {
  const failures = results.flatMap(r =>
    r.failures.map(f => ({ engine: r.case.id, ...f })),
  );
  if (!failures.length) return;
  console.log('');
  console.log('Runs that did not succeed:');
  for (const f of failures) {
    console.log(
      `  ${f.engine} run ${f.attempt} (${f.from} → ${f.to}), ${f.stage}${
        f.runId ? ` ${f.runId}` : ''
      }: ${f.error}`,
    );
  }
}

/** Runs the named cases and prints the report; returns the exit code. */
export async function benchEngines(
  selector: string,
  runs: number,
  speed: WorldSpeed,
): Promise<number> {
  const results: EngineResult[] = [];
  for (const c of casesFor(selector)) {
    const started = Date.now();
    process.stderr.write(`${c.id}: ${runs} switchovers of ${c.entity}…`);
    try {
      results.push(await benchEngine(c, runs, speed));
    } catch (err) {
      // The world or the backend did not come up: the engine is reported,
      // not skipped.
      results.push({
        case: c,
        attempts: 0,
        succeeded: [],
        failures: [
          {
            attempt: 0,
            from: c.clusters[0],
            to: c.clusters[1],
            stage: 'set-up',
            error: String((err as Error).stack ?? err),
          },
        ],
      });
    }
    process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  printTable(results, runs, speed);
  printSteps(results);
  printFailures(results);
  console.log('');
  let ok = true;
  for (const r of results) {
    const worst = Math.max(...r.succeeded.map(rtoExclCatchUpMs));
    const allRan = r.succeeded.length === runs && !r.failures.length;
    const under = r.succeeded.length > 0 && worst < BOUND_MS;
    ok &&= allRan && under;
    console.log(
      `${r.case.id}: ${
        allRan ? 'every run succeeded' : `${r.failures.length} run(s) failed`
      }; RTO after catch-up ${
        r.succeeded.length
          ? `at most ${worst.toFixed(0)} ms, ${under ? 'under' : 'NOT under'}`
          : 'not measured, not shown under'
      } ${BOUND_MS / 1000} s`,
    );
  }
  return ok ? 0 : 1;
}
