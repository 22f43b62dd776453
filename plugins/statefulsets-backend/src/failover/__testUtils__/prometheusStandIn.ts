/*
 * A Prometheus stand-in for simulated worlds (tests and benchmarks): it answers
 * instant queries of the form `[timestamp(]metric{label="value", …}[)]`
 * from every simulated cluster's `/metrics`, scraped at each query, so the
 * product reads lag the way it reads it from a real Prometheus.
 */
import { RunningSimulator } from '@multicluster/cluster-simulator';
import http from 'node:http';
import { AddressInfo } from 'node:net';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]] = l[2];
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

async function answer(sim: RunningSimulator, query: string) {
  const m = /^(timestamp\()?([\w:]+)\{(.*)\}\)?$/.exec(query.trim());
  const now = Date.now() / 1000;
  const result: unknown[] = [];
  if (!m) return result;
  const want = [...m[3].matchAll(/(\w+)="([^"]*)"/g)];
  for (const c of sim.clusters) {
    const text = await (await fetch(`${c.url}/metrics`)).text();
    for (const s of parseExposition(text)) {
      if (s.name !== m[2]) continue;
      if (!want.every(([, k, v]) => s.labels[k] === v)) continue;
      result.push({
        metric: m[1] ? s.labels : { __name__: s.name, ...s.labels },
        value: [now, String(m[1] ? now : s.value)],
      });
    }
  }
  return result;
}

/** Starts the stand-in on a free local port. */
export async function startPrometheusStandIn(
  sim: RunningSimulator,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const query = new URLSearchParams(body).get('query') ?? '';
    const result = await answer(sim, query).catch(() => []);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result },
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}
