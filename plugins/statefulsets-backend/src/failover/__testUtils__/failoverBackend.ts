/*
 * A backend process for the kill tests (FailoverKill.test.ts): builds the
 * failover feature from config the way plugin.ts does (with Backstage's
 * scheduler for its local tasks), resumes interrupted runs as the plugin's
 * start-up hook does, optionally starts a run, and
 * reports on stdout, one JSON line per event, every step the engine takes,
 * so that the test can kill it with SIGKILL at a chosen point.
 *
 *   node --import tsx failoverBackend.ts <settings.json>
 *
 * The process loads its code first and builds the feature only once a line
 * arrives on stdin (`{}`, or `{ "start": ... }` to start a run), so a test
 * can have it ready before it kills the backend it replaces. It exits when
 * stdin closes, so it never outlives the test, and stops the engine
 * gracefully on SIGTERM.
 */
import {
  AuditorService,
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { knex as createKnex, Knex } from 'knex';
import fs from 'node:fs';
import readline from 'node:readline';
import { buildFailover } from '../buildFailover';
import type { StartFailoverInput } from '../FailoverEngine';
import { localScheduler } from './localScheduler';

/** What the process is given in its settings file. */
export interface FailoverBackendSettings {
  /** The app-config: the `kubernetes:` clusters and `multiclusterStatefulsets:`. */
  config: JsonObject;
  /** The connection of the plugin's database, shared with the test. */
  database: Knex.Config;
}

/** The line on stdin that lets the process build its engine. */
export interface FailoverBackendCommand {
  start?: StartFailoverInput;
}

/** One line on stdout. */
export type FailoverBackendEvent =
  | { type: 'ready'; resumed: string[] }
  | { type: 'run'; runId: string }
  | {
      type: 'step';
      runId: string;
      kind: string;
      status: 'started' | 'succeeded' | 'skipped' | 'deferred' | 'failed';
      error?: string;
    }
  | { type: 'error'; message: string };

function emit(event: FailoverBackendEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function stderrLogger(meta: Record<string, unknown> = {}): LoggerService {
  const write = (level: string) => (message: string, extra?: unknown) =>
    process.stderr.write(
      `${JSON.stringify({ level, message, ...meta, extra })}\n`,
    );
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: () => undefined,
    child: more => stderrLogger({ ...meta, ...more }),
  };
}

/** Reports each step event of the engine as a `step` line. */
const stepAuditor: AuditorService = {
  async createEvent(options) {
    const meta = (options.meta ?? {}) as Record<string, string>;
    const step = (status: string, error?: string) => {
      if (options.eventId !== 'failover-step') return;
      emit({
        type: 'step',
        runId: meta.runId,
        kind: meta.step,
        status: status as 'started',
        ...(error ? { error } : {}),
      });
    };
    step('started');
    return {
      async success(result) {
        step(String(result?.meta?.status ?? 'succeeded'));
      },
      async fail(result) {
        step('failed', result.error.message);
      },
    };
  },
};

const notServed = (): never => {
  throw new Error('this process does not serve the failover routes');
};

async function main(): Promise<void> {
  const settings: FailoverBackendSettings = JSON.parse(
    fs.readFileSync(process.argv[2], 'utf8'),
  );
  const lines = readline.createInterface({ input: process.stdin });
  // The test going away (or killing this process's parent) ends it too.
  lines.on('close', () => process.exit(0));
  const command: FailoverBackendCommand = JSON.parse(
    await new Promise<string>(resolve => lines.once('line', resolve)),
  );

  const knex = createKnex(settings.database);
  const database: DatabaseService = { getClient: async () => knex };
  const logger = stderrLogger();
  const failover = await buildFailover({
    config: new ConfigReader(settings.config),
    database,
    logger,
    scheduler: localScheduler(logger),
    auditor: stepAuditor,
    httpAuth: { credentials: notServed, issueUserCookie: notServed },
    permissions: { authorize: notServed, authorizeConditional: notServed },
    topology: { getTopology: notServed },
  });
  process.once('SIGTERM', () => {
    failover.engine
      .stop()
      .then(() => knex.destroy())
      .finally(() => process.exit(0));
  });

  // What the plugin's start-up hook does.
  emit({ type: 'ready', resumed: await failover.engine.resumeInterrupted() });
  if (command.start) {
    const run = await failover.engine.start(command.start);
    emit({ type: 'run', runId: run.id });
  }
}

main().catch(err => {
  emit({ type: 'error', message: String(err?.stack ?? err) });
  process.exit(1);
});
