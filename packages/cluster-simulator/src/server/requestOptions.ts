/*
 * What a write request says besides its object: the body as JSON or YAML,
 * dry run, field validation, the field manager and DeleteOptions, each
 * refused with kube-apiserver's 400 when malformed.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest } from '../api/status';
import { readBody } from './http';

/** The request body as an object (JSON, or YAML when the type says so). */
export async function readObjectBody(req: IncomingMessage): Promise<any> {
  const raw = (await readBody(req)).toString('utf8');
  const type = String(req.headers['content-type'] ?? 'application/json');
  if (raw.trim() === '') throw badRequest('the request body is empty');
  try {
    if (type.includes('yaml')) return parseYaml(raw);
    return JSON.parse(raw);
  } catch (e) {
    throw badRequest(
      `the object provided is unrecognized: ${(e as Error).message}`,
    );
  }
}

/** The DeleteOptions body, which may be absent. */
export async function readDeleteOptions(req: IncomingMessage): Promise<any> {
  const raw = (await readBody(req)).toString('utf8').trim();
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest('invalid DeleteOptions');
  }
}

/** Whether the request is a dry run (query or DeleteOptions); only `All` exists. */
export function dryRunOf(url: URL, body?: any): boolean {
  const vals = [
    ...url.searchParams.getAll('dryRun'),
    ...(Array.isArray(body?.dryRun) ? body.dryRun : []),
  ];
  for (const v of vals)
    if (v !== 'All')
      throw badRequest(`Invalid value: "${v}": supported values: "All"`);
  return vals.length > 0;
}

/** How unknown fields are treated; upstream's default is Warn. */
export function fieldValidationOf(url: URL): 'Strict' | 'Warn' | 'Ignore' {
  const v = url.searchParams.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw badRequest(
      `fieldValidation must be one of Ignore, Warn, Strict; got ${v}`,
    );
  }
  return v;
}

/** The field manager: as named, else taken from the user agent as upstream. */
export function fieldManagerOf(req: IncomingMessage, url: URL): string {
  const m = url.searchParams.get('fieldManager');
  if (m) return m;
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0] || 'unknown';
}
