import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { eventually } from './testing/testWorld';

jest.setTimeout(60000);

describe('the cluster-simulator command', () => {
  it('prints the clusters, writes kubeconfig and app-config, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
    fs.writeFileSync(
      path.join(dir, 'world.yaml'),
      'clusters:\n  - name: eu-central\n    region: eu-central-1\n    federationHost: karmada\n  - name: us-east\n    region: us-east-1\n',
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        '--world',
        'world.yaml',
        '--port-base',
        '0',
        '--admin-port',
        '0',
        '--kubeconfig',
        'kc',
        '--app-config',
        'app.yaml',
      ],
      {
        cwd: path.resolve(__dirname, '..'),
        env: { ...process.env, INIT_CWD: dir },
      },
    );
    let out = '';
    child.stdout.on('data', d => {
      out += d;
    });
    child.stderr.on('data', d => {
      out += d;
    });
    const exited = new Promise<number | null>(resolve =>
      child.on('exit', code => resolve(code)),
    );
    try {
      await eventually(() => out.includes('app-config written'), 30000, 100);
      const url = /^eu-central\s+(http:\/\/127\.0\.0\.1:\d+)/m.exec(out)![1];
      expect(out).toMatch(
        /^us-east\s+http:\/\/127\.0\.0\.1:\d+\s+\(region us-east-1\)$/m,
      );
      expect(await (await fetch(`${url}/version`)).json()).toMatchObject({
        major: '1',
        minor: '35',
      });

      const kc = parse(fs.readFileSync(path.join(dir, 'kc'), 'utf8'));
      expect(kc.contexts.map((c: any) => c.name)).toEqual([
        'eu-central',
        'us-east',
      ]);
      expect(kc.clusters[0].cluster).toEqual({
        server: url.replace('http:', 'https:'),
        'insecure-skip-tls-verify': true,
      });
      expect(kc.users[0].user).toEqual({ token: 'demo-token-eu-central' });

      const app = parse(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8'));
      expect(app.kubernetes.clusterLocatorMethods[0].clusters[0]).toEqual({
        name: 'eu-central',
        url,
        authProvider: 'serviceAccount',
        serviceAccountToken: 'demo-token-eu-central',
        skipTLSVerify: true,
        skipMetricsLookup: false,
      });
      expect(app.multiclusterStatefulsets.clusters['eu-central']).toEqual({
        region: 'eu-central-1',
        zones: ['eu-central-1a', 'eu-central-1b'],
        federationHost: 'karmada',
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: stopping');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects an invalid world with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      'clusters:\n  - name: a\n    region: r\n    colour: red\n',
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        '--world',
        path.join(dir, 'bad.yaml'),
        '--port-base',
        '0',
        '--admin-port',
        '0',
      ],
      {
        cwd: path.resolve(__dirname, '..'),
      },
    );
    let err = '';
    child.stderr.on('data', d => {
      err += d;
    });
    const code = await new Promise<number | null>(resolve =>
      child.on('exit', c => resolve(c)),
    );
    expect(code).toBe(1);
    expect(err).toContain(
      `${path.join(dir, 'bad.yaml')}: clusters[0] (a): unknown field "colour"`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
