/*
 * Kubernetes label selectors in their string form, parsed and matched in
 * memory the way kube-apiserver does (equality- and set-based requirements,
 * existence, and the numeric `>` / `<`), so one namespace-wide informer can
 * answer every entity's selector without asking the cluster.
 */

/** One requirement of a selector. */
export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: 'gt' | 'lt'; value: number };

/** A parsed selector: every requirement must hold. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  /** The value every match carries for a key, where the selector fixes one. */
  equalities: Array<[string, string]>;
}

/** A selector string that kube-apiserver would refuse. */
export class LabelSelectorError extends Error {
  constructor(selector: string, problem: string) {
    super(`invalid label selector "${selector}": ${problem}`);
    this.name = 'LabelSelectorError';
  }
}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map(t => t.trim());
}

function checkKey(selector: string, key: string): string {
  const name = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
  if (!KEY.test(key) || name.length > 63 || key.length > 253 + 64) {
    throw new LabelSelectorError(selector, `"${key}" is not a label key`);
  }
  return key;
}

function checkValue(selector: string, value: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new LabelSelectorError(selector, `"${value}" is not a label value`);
  }
  return value;
}

function parseTerm(selector: string, term: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const values = set[3].split(',').map(v => checkValue(selector, v.trim()));
    return {
      key: checkKey(selector, set[1]),
      op: set[2] as 'in' | 'notin',
      values,
    };
  }
  if (term.startsWith('!')) {
    return { key: checkKey(selector, term.slice(1).trim()), op: '!' };
  }
  const compare = /^([^<>=!\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(term);
  if (compare) {
    const key = checkKey(selector, compare[1]);
    const value = compare[3].trim();
    if (compare[2] === '>' || compare[2] === '<') {
      if (!/^-?\d+$/.test(value)) {
        throw new LabelSelectorError(selector, `"${value}" is not an integer`);
      }
      return {
        key,
        op: compare[2] === '>' ? 'gt' : 'lt',
        value: Number(value),
      };
    }
    checkValue(selector, value);
    return { key, op: compare[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  return { key: checkKey(selector, term), op: 'exists' };
}

/** Parses a selector string; throws LabelSelectorError on what the API server refuses. */
export function parseLabelSelector(selector: string): LabelSelector {
  const trimmed = selector.trim();
  if (!trimmed) return { requirements: [], equalities: [] };
  const requirements = splitTerms(trimmed).map(term => {
    if (!term) throw new LabelSelectorError(selector, 'empty requirement');
    return parseTerm(selector, term);
  });
  const equalities = requirements.flatMap(r =>
    r.op === 'in' && r.values.length === 1
      ? [[r.key, r.values[0]] as [string, string]]
      : [],
  );
  return { requirements, equalities };
}

/** Whether labels satisfy every requirement of the selector. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return selector.requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(l[r.key])) return false;
        const n = Number(l[r.key]);
        return r.op === 'gt' ? n > r.value : n < r.value;
      }
      default:
        return false;
    }
  });
}
