// JSON pointer reads and edits (RFC 6901 paths, RFC 6902 add/remove/replace
// semantics), the language both KubeFed overrides and Karmada overriders use.

const clone = <T>(v: T): T => structuredClone(v);

function parsePointer(path: string): string[] {
  if (path === '') {
    return [];
  }
  if (!path.startsWith('/')) {
    throw new Error(`invalid JSON pointer "${path}"`);
  }
  return path
    .slice(1)
    .split('/')
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies one add/remove/replace edit at a JSON pointer, in place. */
export function applyJsonPatchOp(
  doc: Record<string, any>,
  op: string,
  path: string,
  value?: unknown,
): void {
  const parts = parsePointer(path);
  if (parts.length === 0) {
    throw new Error('cannot edit the document root');
  }
  let parent: any = doc;
  for (const part of parts.slice(0, -1)) {
    const next = Array.isArray(parent) ? parent[Number(part)] : parent?.[part];
    if (next === undefined || next === null || typeof next !== 'object') {
      if (op === 'remove') {
        return;
      }
      // Overrides are written against the template; create missing maps
      // (e.g. metadata.annotations) instead of failing the whole member.
      parent[part] = {};
    }
    parent = Array.isArray(parent) ? parent[Number(part)] : parent[part];
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new Error(`index ${last} out of range at ${path}`);
    }
    if (op === 'add') {
      parent.splice(index, 0, clone(value));
    } else if (op === 'remove') {
      parent.splice(index, 1);
    } else {
      parent[index] = clone(value);
    }
    return;
  }
  if (op === 'remove') {
    delete parent[last];
  } else {
    parent[last] = clone(value);
  }
}

/** The value at a JSON pointer, or undefined where the path leads nowhere. */
export function getAt(doc: any, path: string): unknown {
  let cur = doc;
  for (const p of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : cur?.[p];
  }
  return cur;
}
