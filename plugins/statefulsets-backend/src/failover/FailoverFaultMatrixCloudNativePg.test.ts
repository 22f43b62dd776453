/*
 * The fault matrix of switchovers through the CloudNativePG provider
 * (demotion and promotion tokens; see FailoverFaultMatrix.test.ts): on top
 * of the meaning of each final state, writes are never refused longer than
 * the fence budget while the source is up.
 */
import { faultCaseProblems, matrixCases } from './__testUtils__/faultMatrix';

jest.setTimeout(120_000);

describe.each(['switchover-cloudnativepg'])(
  'failover fault matrix: %s',
  scenario => {
    const cases = matrixCases(scenario);
    it.each(
      cases.length
        ? cases
        : [['-', 'skipped by FAULT_MATRIX_*', undefined] as const],
    )('fault before %s: %s', async (_step, _fault, c) => {
      expect(c ? await faultCaseProblems(c) : []).toEqual([]);
    });
  },
);
