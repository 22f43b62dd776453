/*
 * The pod rules kube-apiserver applies when a Pod is created (ValidatePodSpec
 * and its helpers), with the API server's own messages. A StatefulSet's pod
 * template is not checked this deeply when the StatefulSet is written (the
 * API server skips it), so a bad template is only refused pod by pod: the
 * StatefulSet controller runs these rules on every pod it would create.
 */
import type { StatusCause } from './status';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'Never', 'OnFailure'];

/** `must be no more than N characters`, as apimachinery's MaxLenError. */
function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** apimachinery's RegexError, examples and all (its double space included). */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  const eg = examples.map(e => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}

/** What is wrong with a DNS-1123 label (IsDNS1123Label); empty when valid. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL.test(value)) {
    errs.push(
      DNS1123_SUBDOMAIN.test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            '[a-z0-9]([-a-z0-9]*[a-z0-9])?',
            'my-name',
            '123-abc',
          ),
    );
  }
  return errs;
}

/** What is wrong with a port name (IsValidPortName, IANA_SVC_NAME); empty when valid. */
export function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port))
    errs.push(
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    );
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-'))
    errs.push('must not begin or end with a hyphen');
  return errs;
}

/**
 * What is wrong with an environment variable name; empty when valid.
 * Kubernetes 1.34 and later (RelaxedEnvironmentVariableValidation, GA) take
 * any printable ASCII but '='; `strict` applies the rule of earlier
 * releases (IsEnvVarName), which manifests meant for any cluster must meet.
 */
export function envVarNameErrors(name: string, strict = false): string[] {
  if (!strict) {
    return /^[\x20-\x3c\x3e-\x7e]+$/.test(name)
      ? []
      : [
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ];
  }
  const errs: string[] = [];
  if (!ENV_VAR_NAME.test(name)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        '[-._a-zA-Z][-._a-zA-Z0-9]*',
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  }
  if (name === '.') errs.push("must not be '.'");
  else if (name === '..') errs.push("must not be '..'");
  else if (name.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a resource quantity (`500m`, `2Gi`, `1e3`), or undefined when unparseable. */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(
    q.trim(),
  );
  if (!m) return undefined;
  if (m[2]) return Number(m[1] + m[2]);
  const factor = SUFFIXES[m[3] ?? ''];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Choices in how strictly a pod is validated. */
export interface PodValidationOptions {
  /** Environment variable names by the rule of Kubernetes before 1.34. */
  strictEnvNames?: boolean;
}

/** The causes of field errors, built as apimachinery's field.Error does. */
class FieldErrors {
  readonly causes: StatusCause[] = [];

  invalid(field: string, value: unknown, detail: string) {
    const v = typeof value === 'string' ? `"${value}"` : String(value);
    this.push(field, `Invalid value: ${v}: ${detail}`, 'FieldValueInvalid');
  }
  required(field: string, detail = '') {
    const msg = detail ? `Required value: ${detail}` : 'Required value';
    this.push(field, msg, 'FieldValueRequired');
  }
  duplicate(field: string, value: string) {
    this.push(field, `Duplicate value: "${value}"`, 'FieldValueDuplicate');
  }
  notFound(field: string, value: string) {
    this.push(field, `Not found: "${value}"`, 'FieldValueNotFound');
  }
  notSupported(field: string, value: string, supported: string[]) {
    const list = supported.map(s => `"${s}"`).join(', ');
    this.push(
      field,
      `Unsupported value: "${value}": supported values: ${list}`,
      'FieldValueNotSupported',
    );
  }
  label(field: string, value: string) {
    for (const e of dns1123LabelErrors(value)) this.invalid(field, value, e);
  }
  private push(field: string, message: string, reason: string) {
    this.causes.push({ field, message, reason });
  }
}

function validateVolumes(
  errs: FieldErrors,
  volumes: any[],
  path: string,
): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = `${path}[${i}]`;
    const name = v?.name;
    if (!name) errs.required(`${p}.name`);
    else {
      errs.label(`${p}.name`, name);
      if (names.has(name)) errs.duplicate(`${p}.name`, name);
      names.add(name);
    }
    if (Object.keys(v ?? {}).filter(k => k !== 'name').length === 0)
      errs.required(p, 'must specify a volume type');
  });
  return names;
}

function validatePorts(errs: FieldErrors, ports: any[], path: string) {
  // Names are unique per container; the same name in two containers is
  // only a warning upstream.
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = port?.name;
    if (name) {
      const problems = portNameErrors(name);
      for (const e of problems) errs.invalid(`${p}.name`, name, e);
      if (!problems.length && names.has(name))
        errs.duplicate(`${p}.name`, name);
      names.add(name);
    }
    const n = port?.containerPort;
    if (!n) errs.required(`${p}.containerPort`);
    else if (!Number.isInteger(n) || n < 1 || n > 65535)
      errs.invalid(
        `${p}.containerPort`,
        n,
        'must be between 1 and 65535, inclusive',
      );
    const host = port?.hostPort;
    if (host && (!Number.isInteger(host) || host < 1 || host > 65535))
      errs.invalid(
        `${p}.hostPort`,
        host,
        'must be between 1 and 65535, inclusive',
      );
    // An absent protocol is defaulted to TCP before validation.
    if (port?.protocol !== undefined && !PROTOCOLS.includes(port.protocol))
      errs.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS);
  });
}

function validateEnv(
  errs: FieldErrors,
  env: any[],
  path: string,
  strict: boolean,
) {
  env.forEach((e, i) => {
    const p = `${path}[${i}].name`;
    if (!e?.name) errs.required(p);
    else
      for (const m of envVarNameErrors(e.name, strict))
        errs.invalid(p, e.name, m);
  });
}

function validateResources(errs: FieldErrors, resources: any, path: string) {
  const limits = resources?.limits ?? {};
  for (const [res, req] of Object.entries(resources?.requests ?? {})) {
    const lim = limits[res];
    if (lim === undefined) continue;
    const r = quantityValue(req);
    const l = quantityValue(lim);
    if (r !== undefined && l !== undefined && r > l)
      errs.invalid(
        `${path}.requests[${res}]`,
        String(req),
        `must be less than or equal to ${res} limit of ${String(lim)}`,
      );
  }
}

function validateContainer(
  errs: FieldErrors,
  c: any,
  path: string,
  volumes: Set<string>,
  opts: PodValidationOptions,
) {
  if (!c?.image) errs.required(`${path}.image`);
  validatePorts(errs, c?.ports ?? [], `${path}.ports`);
  validateEnv(errs, c?.env ?? [], `${path}.env`, !!opts.strictEnvNames);
  const mountPaths = new Set<string>();
  (c?.volumeMounts ?? []).forEach((m: any, i: number) => {
    const p = `${path}.volumeMounts[${i}]`;
    if (!m?.name) errs.required(`${p}.name`);
    else if (!volumes.has(m.name)) errs.notFound(`${p}.name`, m.name);
    if (!m?.mountPath) errs.required(`${p}.mountPath`);
    else if (mountPaths.has(m.mountPath))
      errs.invalid(`${p}.mountPath`, m.mountPath, 'must be unique');
    if (m?.mountPath) mountPaths.add(m.mountPath);
  });
  validateResources(errs, c?.resources, `${path}.resources`);
}

/**
 * The field errors kube-apiserver reports for a pod spec (fields under
 * `path`, `spec` for a Pod); empty when the API server would accept it.
 */
export function podSpecErrors(
  spec: any,
  path = 'spec',
  opts: PodValidationOptions = {},
): StatusCause[] {
  const errs = new FieldErrors();
  const volumes = validateVolumes(errs, spec?.volumes ?? [], `${path}.volumes`);
  const names = new Set<string>();
  const lists: Array<[string, any[]]> = [
    ['containers', spec?.containers ?? []],
    ['initContainers', spec?.initContainers ?? []],
  ];
  if (lists[0][1].length === 0) errs.required(`${path}.containers`);
  for (const [field, list] of lists) {
    list.forEach((c, i) => {
      const p = `${path}.${field}[${i}]`;
      if (!c?.name) errs.required(`${p}.name`);
      else {
        errs.label(`${p}.name`, c.name);
        if (names.has(c.name)) errs.duplicate(`${p}.name`, c.name);
        names.add(c.name);
      }
      validateContainer(errs, c, p, volumes, opts);
    });
  }
  const policy = spec?.restartPolicy;
  if (policy !== undefined && !RESTART_POLICIES.includes(policy))
    errs.notSupported(`${path}.restartPolicy`, policy, RESTART_POLICIES);
  if (spec?.hostname) errs.label(`${path}.hostname`, spec.hostname);
  if (spec?.subdomain) errs.label(`${path}.subdomain`, spec.subdomain);
  return errs.causes;
}

/**
 * The errors kube-apiserver reports on a StatefulSet's pod template when the
 * StatefulSet is written: only its restart policy, the rest waits for pods.
 */
export function statefulSetTemplateErrors(sts: any): StatusCause[] {
  const errs = new FieldErrors();
  const policy = sts?.spec?.template?.spec?.restartPolicy;
  if (policy !== undefined && policy !== 'Always')
    errs.notSupported('spec.template.spec.restartPolicy', policy, ['Always']);
  return errs.causes;
}

/** The message of an invalid Pod's error: one cause bare, several in brackets. */
export function podInvalidMessage(name: string, causes: StatusCause[]): string {
  const all = causes.map(c => `${c.field ? `${c.field}: ` : ''}${c.message}`);
  const detail = all.length === 1 ? all[0] : `[${all.join(', ')}]`;
  return `Pod "${name}" is invalid: ${detail}`;
}
