/*
 * The `mongosh` command line of the emulator: `--quiet`, `--eval <script>`
 * (repeatable, run in order), `--json[=relaxed|canonical]` (the result as
 * Extended JSON), `--host/--port` and a `mongodb://` URI naming this member
 * (the server is always the local one), `-u/-p/--authenticationDatabase`
 * accepted and not checked. The script language is described in
 * ./script.ts; the shell API it reaches is built here. The last value is
 * printed as mongosh prints it; a server error is printed as
 * `MongoServerError[<codeName>]: <message>` with exit status 1.
 */
import type { ProgramIo } from '../programs';
import * as cmd from './commands';
import { HostFn, HostObject, parseScript, runScript } from './script';
import type { RsWorld } from './state';
import {
  MongoServerError,
  ScriptError,
  ejsonStringify,
  jsonStringify,
  shellPrint,
} from './values';

interface Options {
  evals: string[];
  json?: 'relaxed' | 'canonical';
  quiet: boolean;
}

const WITH_VALUE = new Set([
  '--host',
  '--port',
  '-u',
  '--username',
  '-p',
  '--password',
  '--authenticationDatabase',
  '--authenticationMechanism',
  '--tlsCAFile',
  '--tlsCertificateKeyFile',
]);
const FLAGS = new Set(['--quiet', '--norc', '--nodb', '--tls', '--shell']);

class UsageError extends Error {}

function parseArgs(args: string[]): Options {
  const o: Options = { evals: [], quiet: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    if (flag === '--eval') {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError('--eval needs a script');
      o.evals.push(v);
    } else if (flag === '--json') {
      o.json = inline === 'canonical' ? 'canonical' : 'relaxed';
    } else if (flag === '--quiet') {
      o.quiet = true;
    } else if (WITH_VALUE.has(flag)) {
      if (inline === undefined) i++;
    } else if (FLAGS.has(flag) || /^mongodb(\+srv)?:\/\//.test(a)) {
      // Accepted: the emulator always talks to the local member.
    } else if (!a.startsWith('-')) {
      throw new UsageError(
        `script files are not supported by this mongosh (got ${a}); pass the script with --eval`,
      );
    } else {
      throw new UsageError(`unknown option ${a}`);
    }
  }
  return o;
}

function notAMember(): MongoServerError {
  return new MongoServerError(
    'no replset config has been received',
    94,
    'NotYetInitialized',
  );
}

function noReplication(): MongoServerError {
  return new MongoServerError(
    'not running with --replSet',
    76,
    'NoReplicationEnabled',
  );
}

/** The shell API of one member: `db`, `rs`, `JSON`, `EJSON`, `print`, `printjson`. */
function shellGlobals(
  world: RsWorld | undefined,
  out: (text: string) => void,
  replSet: boolean,
): Record<string, unknown> {
  const need = (): RsWorld => {
    if (!world) throw replSet ? notAMember() : noReplication();
    return world;
  };
  // A member the configuration does not hold takes no writes and no part.
  const standaloneHello = () =>
    replSet
      ? {
          isWritablePrimary: false,
          secondary: false,
          isreplicaset: true,
          info: 'Does not have a valid replica set config',
          ok: 1,
        }
      : { isWritablePrimary: true, ok: 1 };
  const adminCommand = async (doc: unknown) => {
    const c: Record<string, any> =
      typeof doc === 'string' ? { [doc]: 1 } : (doc as any) ?? {};
    const name = Object.keys(c)[0];
    switch (name) {
      case 'ping':
        return { ok: 1 };
      case 'hello':
        return world ? cmd.hello(world) : standaloneHello();
      case 'isMaster':
      case 'ismaster':
        return world ? cmd.hello(world, true) : standaloneHello();
      case 'replSetGetStatus':
        return cmd.status(need());
      case 'replSetGetConfig':
        return { config: cmd.conf(need()), ok: 1 };
      case 'replSetReconfig':
        return cmd.reconfig(need(), c.replSetReconfig, c.force === true);
      case 'replSetStepDown':
        return cmd.stepDown(
          need(),
          Number(c.replSetStepDown),
          Number(c.secondaryCatchUpPeriodSecs ?? 10),
          c.force === true,
        );
      case 'replSetFreeze':
        return cmd.freeze(need(), Number(c.replSetFreeze));
      default:
        throw new MongoServerError(
          `no such command: '${name}'`,
          59,
          'CommandNotFound',
        );
    }
  };
  const collection = (dbName: string, coll: string) =>
    new HostObject(`${dbName}.${coll}`, {
      insertOne: new HostFn('insertOne', ([doc]) => {
        if (world) return cmd.insertOne(world, `${dbName}.${coll}`, doc);
        if (replSet)
          throw new MongoServerError(
            'not primary',
            10107,
            'NotWritablePrimary',
          );
        return { acknowledged: true };
      }),
    });
  const database = (dbName: string): HostObject => {
    const self: HostObject = new HostObject(
      dbName,
      {
        getName: new HostFn('getName', () => dbName),
        getSiblingDB: new HostFn('getSiblingDB', ([n]) => database(String(n))),
        hello: new HostFn('hello', () => adminCommand('hello')),
        isMaster: new HostFn('isMaster', () => adminCommand('isMaster')),
        adminCommand: new HostFn('adminCommand', ([d]) => adminCommand(d)),
        runCommand: new HostFn('runCommand', ([d]) => adminCommand(d)),
        getCollection: new HostFn('getCollection', ([n]) =>
          collection(dbName, String(n)),
        ),
      },
      field => collection(dbName, field),
    );
    return self;
  };
  const rs = new HostObject('rs', {
    status: new HostFn('status', () => cmd.status(need())),
    conf: new HostFn('conf', () => cmd.conf(need())),
    config: new HostFn('config', () => cmd.conf(need())),
    isMaster: new HostFn('isMaster', () => adminCommand('isMaster')),
    hello: new HostFn('hello', () => adminCommand('hello')),
    reconfig: new HostFn('reconfig', ([config, options]) =>
      cmd.reconfig(need(), config, (options as any)?.force === true),
    ),
    stepDown: new HostFn('stepDown', ([secs, catchUp]) =>
      cmd.stepDown(
        need(),
        secs === undefined ? 60 : Number(secs),
        catchUp === undefined ? 10 : Number(catchUp),
      ),
    ),
    freeze: new HostFn('freeze', ([secs]) => cmd.freeze(need(), Number(secs))),
  });
  const stringify = (f: (v: unknown, n?: number) => string) =>
    new HostObject('JSON', {
      stringify: new HostFn('stringify', ([v, , n]) =>
        f(v, n === undefined ? undefined : Number(n)),
      ),
      parse: new HostFn('parse', ([s]) => JSON.parse(String(s))),
    });
  return {
    db: database('test'),
    rs,
    JSON: stringify(jsonStringify),
    EJSON: stringify(ejsonStringify),
    print: new HostFn('print', args => {
      out(`${args.map(shellPrint).join(' ')}\n`);
    }),
    printjson: new HostFn('printjson', ([v]) => {
      out(`${shellPrint(v)}\n`);
    }),
  };
}

/** Runs mongosh with its arguments; resolves to the exit status. */
export async function mongoshClient(
  args: string[],
  io: ProgramIo,
  world: RsWorld | undefined,
  /** Whether mongod runs with a replica set (a member the configuration lacks has no world). */
  replSet = world !== undefined,
): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(args);
  } catch (e) {
    io.stderr(`MongoshInvalidInputError: ${(e as Error).message}\n`);
    return 1;
  }
  if (options.evals.length === 0) {
    io.stderr(
      'MongoshInvalidInputError: this exec has no terminal for an interactive shell; pass the script with --eval\n',
    );
    return 1;
  }
  if (!options.quiet) {
    io.stdout('Current Mongosh Log ID:\t000000000000000000000000\n');
  }
  const globals = shellGlobals(world, t => io.stdout(t), replSet);
  try {
    let last: unknown;
    for (const script of options.evals) {
      last = await runScript(parseScript(script), globals);
    }
    if (last !== undefined) {
      io.stdout(
        `${options.json ? ejsonStringify(last, 2) : shellPrint(last)}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof MongoServerError || e instanceof ScriptError) {
      if (options.json && e instanceof MongoServerError) {
        io.stderr(
          `${JSON.stringify({
            message: e.message,
            code: e.code,
            codeName: e.codeName,
            name: 'MongoServerError',
          })}\n`,
        );
      } else io.stderr(`${e.printed()}\n`);
      return 1;
    }
    throw e;
  }
}
