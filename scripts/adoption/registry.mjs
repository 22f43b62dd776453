/*
 * A minimal npm registry for the adoption test: serves the tarballs that
 * `yarn pack` made of the publishable packages, as a publish would, so a
 * fresh app installs them with the same `yarn add` lines an adopter runs.
 * Only the @multicluster scope is pointed here; everything else still comes
 * from the app's configured registry.
 *
 * Usage: node registry.mjs <folder of .tgz files> <port file>
 * Writes the port it listens on to <port file> once it is ready.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [folder, portFile] = process.argv.slice(2);
if (!folder || !portFile) {
  console.error('usage: node registry.mjs <folder of .tgz files> <port file>');
  process.exit(2);
}

const packages = new Map();
for (const file of fs.readdirSync(folder).filter(f => f.endsWith('.tgz'))) {
  const tarball = path.join(folder, file);
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const bytes = fs.readFileSync(tarball);
  packages.set(manifest.name, {
    manifest,
    file,
    bytes,
    shasum: createHash('sha1').update(bytes).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const name = decodeURIComponent(url.pathname.slice(1));
  const tarball = [...packages.values()].find(
    p => url.pathname === `/-/${p.file}`,
  );
  if (tarball) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(tarball.bytes);
    return;
  }
  const pkg = packages.get(name);
  if (!pkg) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: `${name} is not one of the packed packages` }),
    );
    return;
  }
  const { version } = pkg.manifest;
  const published = fs
    .statSync(path.join(folder, pkg.file))
    .mtime.toISOString();
  const base = `http://localhost:${server.address().port}`;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      name,
      'dist-tags': { latest: version },
      time: { created: published, modified: published, [version]: published },
      versions: {
        [version]: {
          ...pkg.manifest,
          dist: {
            tarball: `${base}/-/${pkg.file}`,
            shasum: pkg.shasum,
            integrity: pkg.integrity,
          },
        },
      },
    }),
  );
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port));
  console.log(
    `adoption registry: ${packages.size} packages on http://localhost:${
      server.address().port
    }`,
  );
});
