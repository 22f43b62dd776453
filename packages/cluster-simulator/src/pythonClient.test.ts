/*
 * Conformance with the official Kubernetes Python client, a second client
 * besides client-node and kubectl that reads the API strictly (typed models,
 * booleans sent as `True`, required fields enforced). The checks live in
 * testing/python/conformance.py; each prints a JSON line asserted on here.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigFor } from './output';
import { RunningSimulator } from './simulator';
import { startTestSimulator } from './testing/testWorld';

jest.setTimeout(90000);

const SCRIPT = path.join(__dirname, 'testing', 'python', 'conformance.py');

// Debian's python3-kubernetes installs for the system interpreter, which a
// pyenv or virtualenv python3 earlier on PATH does not see.
const PYTHON = [process.env.SIM_PYTHON, 'python3', '/usr/bin/python3'].find(
  p =>
    p &&
    spawnSync(p, ['-c', 'import kubernetes'], { encoding: 'utf8' }).status ===
      0,
);
if (!PYTHON) {
  const why =
    'the official Kubernetes Python client is not installed (python3 -c "import kubernetes" failed); install it with `apt-get install -y python3-kubernetes` (or set SIM_PYTHON to a python that has it) to run these checks';
  // scripts/test-all.sh installs the client and sets this, so CI cannot skip.
  if (process.env.SIM_REQUIRE_PYTHON_CLIENT === '1') throw new Error(why);
  // eslint-disable-next-line no-console
  console.warn(`Skipping the Python client conformance test: ${why}`);
}

interface Check {
  check: string;
  ok: boolean;
  [k: string]: unknown;
}

let sim: RunningSimulator;
let dir: string;
let checks: Map<string, Check>;
let stderr = '';

(PYTHON ? describe : describe.skip)('official Python client', () => {
  beforeAll(async () => {
    sim = await startTestSimulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-python-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, kubeconfigFor(sim.clusters));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        PYTHON!,
        [SCRIPT, kubeconfig, 'eu-central', sim.admin.url],
        { env: { PATH: process.env.PATH, HOME: dir }, timeout: 80000 },
        (err, stdout, errOut) => {
          stderr = errOut;
          if (err && !stdout) reject(new Error(`${err.message}\n${errOut}`));
          else resolve(stdout);
        },
      ),
    );
    checks = new Map(
      out
        .split('\n')
        .filter(l => l.startsWith('{'))
        .map(l => JSON.parse(l) as Check)
        .map(c => [c.check, c]),
    );
  }, 120000);

  afterAll(async () => {
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const passed = (name: string): Check => {
    const c = checks.get(name);
    if (!c) throw new Error(`check ${name} did not report; stderr:\n${stderr}`);
    if (!c.ok) throw new Error(`check ${name} failed: ${JSON.stringify(c)}`);
    return c;
  };

  it('reads Nodes into typed models (every required nodeInfo field)', () => {
    const c = passed('nodes');
    expect(c.machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(c.kubelet).toBe('v1.35.0');
  });

  it('lists, reads and patches a StatefulSet', () => {
    expect(passed('statefulset').names).toContain('orders-db');
  });

  it('reads the scale subresource with the serialized selector, and patches it', () => {
    const c = passed('scale');
    expect(c.selector).toBe('app=orders-db');
    expect(c.after).toBe((c.before as number) + 1);
  });

  it('watches with watch=True and sees a change', () => {
    expect(passed('watch').seen).toContainEqual(['MODIFIED', 'orders-db']);
  });

  it('server-side applies: a conflict without force, force=True takes over', () => {
    expect(passed('apply').conflict).toBe(409);
  });

  it('creates and lists events.k8s.io/v1 Events, stored as core Events', () => {
    expect(passed('events').coreMessage).toBe(
      'written through events.k8s.io/v1',
    );
  });

  it('gets 410 on a watch from a compacted resourceVersion', () => {
    expect(passed('gone').status).toBe(410);
  });
});
