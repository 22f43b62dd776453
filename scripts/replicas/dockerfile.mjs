/*
 * Builds the portal's image without a container engine: reads
 * packages/backend/Dockerfile and carries out its steps on this machine,
 * in a folder that stands for the image's file system —
 *
 *   COPY     from the build context, honouring .dockerignore
 *   WORKDIR  the folder itself (an absolute path in the image)
 *   ENV      for the RUN steps that follow and for the start command
 *   RUN      in the folder, with bash; only the steps that prepare the base
 *            image's system (apt-get, corepack enable, the cache mount's
 *            folder under /home/node) are left to this machine, which has
 *            them already
 *   CMD      written out, with ENV and EXPOSE, as the image's start command
 *
 * Any other instruction, or a RUN step it does not know how to place, stops
 * it. Usage: node dockerfile.mjs <Dockerfile> <context> <image folder>;
 * writes <image folder>/image.json ({ cmd, env, expose }).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [dockerfile, context, imageArg] = process.argv.slice(2);
const imageDir = imageArg && path.resolve(imageArg);
if (!dockerfile || !context || !imageArg) {
  console.error(
    'usage: node dockerfile.mjs <Dockerfile> <context> <image folder>',
  );
  process.exit(2);
}

/** The base image's system set-up, which the host provides itself. */
const HOST_PROVIDES = [
  /^apt-get update && apt-get install /,
  /^corepack enable$/,
  /^mkdir -p \/home\/node\//,
];

function instructions(text) {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  return lines
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
    .map(l => {
      const [, op, rest] = l.match(/^(\S+)\s+(.*)$/);
      return { op: op.toUpperCase(), args: rest.replace(/\s+/g, ' ').trim() };
    });
}

/** .dockerignore: the last pattern matching a path or one of its parents wins. */
function ignoreRules(file) {
  if (!fs.existsSync(file)) return () => false;
  const rules = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
    .map(l => {
      const negate = l.startsWith('!');
      const pattern = path.posix.normalize(negate ? l.slice(1) : l);
      const source = pattern
        .split('/')
        .map(part =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/^\.\*\//, '(?:.*/)?');
      return { negate, re: new RegExp(`^${source}$`) };
    });
  return rel => {
    const parts = rel.split('/');
    let ignored = false;
    for (const { negate, re } of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (re.test(parts.slice(0, i).join('/'))) {
          ignored = !negate;
          break;
        }
      }
    }
    return ignored;
  };
}

const { CI: _ci, ...hostEnv } = process.env;
const ignored = ignoreRules(path.join(context, '.dockerignore'));
let workdir = '/';
const env = {};
const expose = [];
let cmd;

/** Where a path of the image lives in the image folder. */
const inImage = p => path.join(imageDir, path.posix.resolve(workdir, p));

function copyInto(rel, dest) {
  const from = path.join(context, rel);
  if (fs.statSync(from).isDirectory()) {
    for (const entry of fs.readdirSync(from)) {
      const child = path.posix.join(rel, entry);
      if (!ignored(child) || hasIncludedDescendant(child)) {
        copyInto(child, path.join(dest, entry));
      }
    }
    return;
  }
  if (ignored(rel)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(from, dest);
}

/** An ignored folder may hold a file an exception (`!path`) lets through. */
function hasIncludedDescendant(rel) {
  const from = path.join(context, rel);
  if (!fs.statSync(from).isDirectory()) return false;
  return fs.readdirSync(from).some(e => {
    const child = path.posix.join(rel, e);
    return !ignored(child) || hasIncludedDescendant(child);
  });
}

function sources(pattern) {
  if (!/[*?]/.test(pattern)) {
    const rel = path.posix.normalize(pattern);
    if (
      !fs.existsSync(path.join(context, rel)) ||
      (ignored(rel) && !hasIncludedDescendant(rel))
    ) {
      throw new Error(
        `COPY ${pattern}: not in the build context (missing, or left out by .dockerignore)`,
      );
    }
    return [rel];
  }
  const dir = path.posix.dirname(pattern);
  const re = new RegExp(
    `^${path.posix
      .basename(pattern)
      .replace(/\./g, '\\.')
      .replace(/\*/g, '.*')}$`,
  );
  const found = fs
    .readdirSync(path.join(context, dir))
    .filter(e => re.test(e))
    .map(e => path.posix.join(dir, e))
    .filter(rel => !ignored(rel));
  if (!found.length)
    throw new Error(`COPY ${pattern}: matches nothing in the build context`);
  return found;
}

fs.rmSync(imageDir, { recursive: true, force: true });
fs.mkdirSync(imageDir, { recursive: true });
for (const { op, args } of instructions(fs.readFileSync(dockerfile, 'utf8'))) {
  switch (op) {
    case 'FROM':
      if (!/^node:22\b/.test(args))
        throw new Error(
          `FROM ${args}: this machine stands in for node:22 images only`,
        );
      break;
    case 'USER':
      break;
    case 'WORKDIR':
      workdir = path.posix.resolve(workdir, args);
      fs.mkdirSync(inImage('.'), { recursive: true });
      break;
    case 'ENV': {
      const m = args.match(/^(\w+)=(.*)$/) ?? args.match(/^(\w+)\s+(.*)$/);
      env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
      break;
    }
    case 'EXPOSE':
      expose.push(...args.split(' ').map(Number));
      break;
    case 'COPY': {
      const words = args.split(' ').filter(w => !w.startsWith('--'));
      const dest = words.pop();
      const all = words.flatMap(sources);
      const toDir =
        dest.endsWith('/') || all.length > 1 || dest === '.' || dest === './';
      for (const rel of all) {
        const isDir = fs.statSync(path.join(context, rel)).isDirectory();
        const target =
          toDir && !isDir
            ? path.join(inImage(dest), path.posix.basename(rel))
            : inImage(dest);
        copyInto(rel, target);
      }
      break;
    }
    case 'RUN': {
      const command = args.replace(/(^|\s)--mount=\S+/g, '').trim();
      if (HOST_PROVIDES.some(re => re.test(command))) {
        console.log(`› (host) ${command}`);
        break;
      }
      if (/(^|\s)\/(?!dev\/)/.test(command)) {
        throw new Error(
          `RUN ${command}: writes outside the image's folder; teach scripts/replicas/dockerfile.mjs about it`,
        );
      }
      console.log(`› RUN ${command}`);
      execFileSync('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: inImage('.'),
        // A Docker build's RUN does not see the host's CI=true, which would
        // make Yarn's installs immutable.
        env: { ...hostEnv, ...env },
        stdio: 'inherit',
      });
      break;
    }
    case 'CMD':
      cmd = JSON.parse(args);
      break;
    default:
      throw new Error(
        `${op}: not an instruction scripts/replicas/dockerfile.mjs carries out`,
      );
  }
}
if (!cmd) throw new Error('the Dockerfile has no CMD in exec form');
fs.writeFileSync(
  path.join(imageDir, 'image.json'),
  JSON.stringify({ workdir: inImage('.'), cmd, env, expose }, null, 2),
);
console.log(
  `› image in ${path.relative(process.cwd(), inImage('.'))}: ${cmd.join(' ')}`,
);
