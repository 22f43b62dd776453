/*
 * Benchmark: the failover fault matrix (every step of switchover, emergency
 * failover and drain on the generic provider, and of a CloudNativePG
 * switchover, × target down, target hanging, source down, source
 * hanging, the backend's database down for 3 s, the backend killed), each
 * case in a fresh demo world of the cluster simulator. Prints per case the
 * status the run ended in, the status after the clusters came back and the
 * backend repaired, and how long writes were refused (sampled every 25 ms:
 * no cluster both taking writes and receiving traffic), then the worst
 * figures and their ratio to the fence budget.
 *
 *   source <(bash scripts/run.sh env)
 *   node --import tsx bench/failover/faults.ts
 *   BENCH_SCENARIO=switchover-cloudnativepg BENCH_FAULT=target-hang node --import tsx bench/failover/faults.ts
 */
import {
  faultCases,
  FaultCaseResult,
  runFaultCase,
} from '../../plugins/statefulsets-backend/src/failover/__testUtils__/faultMatrix';

async function main() {
  const cases = faultCases(process.env.BENCH_SCENARIO, {
    fault: process.env.BENCH_FAULT,
    step: process.env.BENCH_STEP,
  });
  const results: FaultCaseResult[] = [];
  console.log(
    `${'scenario'.padEnd(26)}${'fault before'.padEnd(18)}${'fault'.padEnd(
      15,
    )}${'ended'.padEnd(33)}${'after repair'.padEnd(16)}${'refused'.padStart(
      9,
    )}${'src up'.padStart(9)}  problems`,
  );
  for (const c of cases) {
    const r = await runFaultCase(c);
    results.push(r);
    console.log(
      `${c.scenario.padEnd(26)}${c.step.padEnd(18)}${c.fault.padEnd(
        15,
      )}${r.status.padEnd(33)}${r.finalStatus.padEnd(
        16,
      )}${`${r.writesRefusedMs} ms`.padStart(
        9,
      )}${`${r.refusedWhileSourceUpMs} ms`.padStart(9)}  ${
        r.problems.join('; ') || '-'
      }`,
    );
  }
  const worst = (
    rs: FaultCaseResult[],
    key: 'writesRefusedMs' | 'refusedWhileSourceUpMs',
  ) =>
    rs.reduce<FaultCaseResult | undefined>(
      (a, r) => (!a || r[key] > a[key] ? r : a),
      undefined,
    );
  const budget = results[0]?.fenceBudgetMs ?? 15_000;
  const switchovers = results.filter(r => r.case.mode === 'switchover');
  const w1 = worst(switchovers, 'refusedWhileSourceUpMs');
  const w2 = worst(results, 'writesRefusedMs');
  const failed = results.filter(r => r.problems.length);
  const byStatus: Record<string, number> = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  console.log('');
  console.log(`cases: ${results.length}, with problems: ${failed.length}`);
  console.log(
    `ended: ${Object.entries(byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (w1) {
    console.log(
      `worst write unavailability of a switchover while its source was up: ${
        w1.refusedWhileSourceUpMs
      } ms (${w1.case.step}, ${w1.case.fault}) = ${(
        w1.refusedWhileSourceUpMs / budget
      ).toFixed(2)} × the fence budget of ${budget / 1000} s`,
    );
  }
  if (w2) {
    console.log(
      `worst write unavailability of any case, a down source included: ${w2.writesRefusedMs} ms (${w2.case.mode}, ${w2.case.step}, ${w2.case.fault})`,
    );
  }
  process.exitCode = failed.length ? 1 : 0;
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
