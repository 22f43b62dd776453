/*
 * The fault matrix of emergency failovers and drains (switchovers have a
 * file of their own so that the two run side by side): every step with
 * each fault the simulator and the test can inject — target down or
 * hanging, source down or hanging, the backend's database unavailable for
 * 3 s, the backend killed and another one taking over. Each run must end
 * in a recorded state whose meaning holds once the clusters return: rolled
 * back means the source takes writes and traffic is where it was;
 * succeeded means the target does; a human is asked only when the new
 * primary stopped answering after its promotion.
 */
import { faultCaseProblems, matrixCases } from './__testUtils__/faultMatrix';

jest.setTimeout(120_000);

describe.each(['failover', 'drain'])('failover fault matrix: %s', scenario => {
  const cases = matrixCases(scenario);
  it.each(
    cases.length
      ? cases
      : [['-', 'skipped by FAULT_MATRIX_*', undefined] as const],
  )('fault before %s: %s', async (_step, _fault, c) => {
    expect(c ? await faultCaseProblems(c) : []).toEqual([]);
  });
});
