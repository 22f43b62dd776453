/*
 * The `cluster-simulator` command: starts a world's clusters, prints where
 * they listen, writes a kubeconfig and an app-config fragment, and stops
 * cleanly on Ctrl-C / SIGTERM.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appConfigYaml, kubeconfigFor } from './output';
import { startSimulator } from './simulator';
import { WorldError } from './world';

const USAGE = `usage: cluster-simulator --world <file.yaml> [--host 127.0.0.1] [--port-base 16443]
       [--admin-port 16440] [--kubeconfig <out>] [--app-config <out>] [--state-dir <dir>]
       [--readiness-delay-ms N]`;

/**
 * `yarn workspace … cluster-simulator` runs in the package folder; paths on
 * the command line are meant relative to where the user typed it.
 */
function fromUser(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      world: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'port-base': { type: 'string', default: '16443' },
      'admin-port': { type: 'string', default: '16440' },
      kubeconfig: { type: 'string' },
      'app-config': { type: 'string' },
      'state-dir': { type: 'string' },
      'readiness-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.world) {
    process.stdout.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const sim = await startSimulator({
    world: fromUser(values.world)!,
    host: values.host,
    portBase: Number(values['port-base']),
    adminPort: Number(values['admin-port']),
    stateDir: fromUser(values['state-dir']),
    readinessDelayMs: values['readiness-delay-ms']
      ? Number(values['readiness-delay-ms'])
      : undefined,
  });
  for (const c of sim.clusters) {
    process.stdout.write(
      `${c.name.padEnd(16)} ${c.url}  (region ${c.region})\n`,
    );
  }
  process.stdout.write(`${'admin'.padEnd(16)} ${sim.admin.url}\n`);
  const kubeconfig = fromUser(values.kubeconfig);
  const appConfig = fromUser(values['app-config']);
  if (kubeconfig) {
    writeFile(kubeconfig, kubeconfigFor(sim.clusters));
    process.stdout.write(`kubeconfig written to ${kubeconfig}\n`);
  }
  if (appConfig) {
    writeFile(appConfig, appConfigYaml(sim.clusters));
    process.stdout.write(`app-config written to ${appConfig}\n`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch(e => {
  process.stderr.write(
    `${
      e instanceof WorldError ? e.message : (e as Error)?.stack ?? String(e)
    }\n`,
  );
  process.exit(1);
});
