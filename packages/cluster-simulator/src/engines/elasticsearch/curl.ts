/*
 * The `curl` of an Elasticsearch container, for the node's own REST API:
 * `curl -s -X PUT 'http://localhost:9200/<path>' -H 'Content-Type:
 * application/json' -d '<json>'`. With security on, the credentials come
 * from `-u user:password` (the password from the pod's environment through
 * `sh -c`), or, without `-u`, from a `.curlrc` (`user = "…"`) or a netrc
 * file (`-n`, `--netrc-file`) mounted in the container, as curl reads
 * them; none gives Elasticsearch's 401. The body is printed as the node
 * sends it (compact JSON, indented with `?pretty`); an HTTP error is no
 * curl error unless `-f`.
 */
import type { ProgramIo } from '../programs';
import { handleRest } from './rest';
import type { EsHost } from './state';

/** What curl needs of the container it runs in. */
export interface CurlContext {
  host: EsHost;
  /** The node's own names (pod name) besides localhost. */
  ownNames: string[];
  security: boolean;
  /** The bootstrap password of `elastic` (`ELASTIC_PASSWORD`), if set. */
  elasticPassword?: string;
  /** Running nodes of the cluster. */
  nodes(): number;
  /** A file mounted in the container, if any. */
  readFile(path: string): string | undefined;
  /** `$HOME` of the container's user. */
  home: string;
}

interface CurlOptions {
  method?: string;
  url?: string;
  data?: string;
  user?: string;
  fail: boolean;
  netrcFile?: string;
  noConfig: boolean;
  headers: string[];
}

class CurlUsage extends Error {}

const VALUE_OPTS = new Set([
  '-X',
  '--request',
  '-H',
  '--header',
  '-d',
  '--data',
  '--data-raw',
  '--data-binary',
  '-u',
  '--user',
  '--netrc-file',
  '-o',
  '--output',
  '-w',
  '--write-out',
  '-m',
  '--max-time',
  '--connect-timeout',
  '--cacert',
]);

function parse(args: string[]): CurlOptions {
  const o: CurlOptions = {
    fail: false,
    noConfig: args[0] === '-q',
    headers: [],
  };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    } else if (/^-[XHdu]./.test(a)) {
      value = a.slice(2);
      a = a.slice(0, 2);
    }
    if (VALUE_OPTS.has(a)) {
      if (value === undefined) {
        if (i + 1 >= args.length)
          throw new CurlUsage(`curl: option ${a}: requires parameter`);
        value = args[++i];
      }
      if (a === '-X' || a === '--request') o.method = value;
      else if (a === '-H' || a === '--header') o.headers.push(value);
      else if (a.startsWith('-d') || a.startsWith('--data')) o.data = value;
      else if (a === '-u' || a === '--user') o.user = value;
      else if (a === '--netrc-file') o.netrcFile = value;
      continue;
    }
    if (a === '-n' || a === '--netrc') o.netrcFile = '~/.netrc';
    else if (a === '-f' || a === '--fail') o.fail = true;
    else if (/^-[sSkvLqfin]+$/.test(a)) {
      if (a.includes('f')) o.fail = true;
    } else if (
      ['--silent', '--show-error', '--insecure', '--location'].includes(a)
    ) {
      // No effect on the emulated node.
    } else if (a.startsWith('-')) {
      throw new CurlUsage(`curl: option ${a}: is unknown`);
    } else o.url = a;
  }
  return o;
}

function curlrcUser(text: string | undefined): string | undefined {
  const m = /^\s*(?:-u|--user|user)\s*[=:]?\s*"?([^"\n]+)"?\s*$/m.exec(
    text ?? '',
  );
  return m?.[1];
}

function netrcUser(text: string | undefined): string | undefined {
  const words = (text ?? '').split(/\s+/);
  const login = words[words.indexOf('login') + 1];
  const password = words[words.indexOf('password') + 1];
  return words.includes('login') && words.includes('password')
    ? `${login}:${password}`
    : undefined;
}

function credentials(o: CurlOptions, ctx: CurlContext): string | undefined {
  if (o.user !== undefined) return o.user;
  const path = (p: string) => p.replace(/^~/, ctx.home);
  if (o.netrcFile) return netrcUser(ctx.readFile(path(o.netrcFile)));
  return o.noConfig
    ? undefined
    : curlrcUser(ctx.readFile(`${ctx.home}/.curlrc`));
}

function unauthorized(reason: string) {
  const cause = {
    type: 'security_exception',
    reason,
    header: {
      'WWW-Authenticate': ['Basic realm="security", charset="UTF-8"', 'ApiKey'],
    },
  };
  return {
    status: 401,
    body: { error: { root_cause: [cause], ...cause }, status: 401 },
  };
}

/** Runs `curl <args>` in an Elasticsearch container. */
export async function esCurl(
  args: string[],
  io: ProgramIo,
  ctx: CurlContext,
): Promise<number> {
  let o: CurlOptions;
  try {
    o = parse(args);
  } catch (e) {
    if (!(e instanceof CurlUsage)) throw e;
    io.stderr(`${e.message}\ncurl: try 'curl --help' for more information\n`);
    return 2;
  }
  if (!o.url) {
    io.stderr(
      "curl: no URL specified\ncurl: try 'curl --help' for more information\n",
    );
    return 2;
  }
  const url = new URL(/^[a-z]+:\/\//i.test(o.url) ? o.url : `http://${o.url}`);
  const local = ['localhost', '127.0.0.1', '0.0.0.0', ...ctx.ownNames];
  if (!local.includes(url.hostname) || (url.port || '80') !== '9200') {
    io.stderr(
      `curl: (7) Failed to connect to ${url.hostname} port ${
        url.port || 80
      } after 0 ms: Couldn't connect to server\n`,
    );
    return 7;
  }
  if (url.protocol === 'https:') {
    io.stderr(
      'curl: (35) OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number\n',
    );
    return 35;
  }
  const method = o.method ?? (o.data !== undefined ? 'POST' : 'GET');
  let answer: { status: number; body: unknown };
  const user =
    url.username !== ''
      ? `${decodeURIComponent(url.username)}:${decodeURIComponent(
          url.password,
        )}`
      : credentials(o, ctx);
  const [name, password] = (user ?? '').split(/:(.*)/s);
  const path = `${url.pathname}${url.search}`;
  if (ctx.security && !user) {
    answer = unauthorized(
      `missing authentication credentials for REST request [${path}]`,
    );
  } else if (
    ctx.security &&
    (!password ||
      (ctx.elasticPassword !== undefined &&
        (name !== 'elastic' || password !== ctx.elasticPassword)))
  ) {
    answer = unauthorized(
      `unable to authenticate user [${name}] for REST request [${path}]`,
    );
  } else {
    let body: unknown;
    if (o.data !== undefined && o.data.trim() !== '') {
      try {
        body = JSON.parse(o.data);
      } catch (e) {
        answer = {
          status: 400,
          body: {
            error: {
              root_cause: [
                {
                  type: 'x_content_parse_exception',
                  reason: `[1:1] ${(e as Error).message}`,
                },
              ],
              type: 'x_content_parse_exception',
              reason: `[1:1] ${(e as Error).message}`,
            },
            status: 400,
          },
        };
      }
    }
    answer ??= handleRest(method, path, body, ctx.host, ctx.nodes());
  }
  const pretty = url.searchParams.has('pretty');
  let text: string;
  if (typeof answer.body === 'string') text = answer.body;
  else if (pretty) text = `${JSON.stringify(answer.body, null, 2)}\n`;
  else text = JSON.stringify(answer.body);
  if (o.fail && answer.status >= 400) {
    io.stderr(
      `curl: (22) The requested URL returned error: ${answer.status}\n`,
    );
    return 22;
  }
  io.stdout(text);
  return 0;
}
