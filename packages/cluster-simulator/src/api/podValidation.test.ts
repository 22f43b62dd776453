import fs from 'node:fs';
import {
  dns1123LabelErrors,
  envVarNameErrors,
  podInvalidMessage,
  podSpecErrors,
  portNameErrors,
  quantityValue,
  statefulSetTemplateErrors,
} from './podValidation';
import { upstreamSchemaPath } from '../testing/upstreamSchemas';

const LABEL_REGEX_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** A minimal valid pod spec, changed by `patch`. */
function spec(patch: (s: any) => void = () => {}): any {
  const s: any = {
    containers: [
      {
        name: 'db',
        image: 'mysql:8.4',
        ports: [{ name: 'tcp-mysql', containerPort: 3306, protocol: 'TCP' }],
        env: [{ name: 'MYSQL_DATABASE', value: 'app' }],
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
        resources: {
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { cpu: '1', memory: '1024Mi' },
        },
      },
    ],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'd' } }],
    restartPolicy: 'Always',
    hostname: 'db-0',
    subdomain: 'db-headless',
  };
  patch(s);
  return s;
}

const messages = (s: any) =>
  podSpecErrors(s).map(c => `${c.field}: ${c.message}`);

describe('the port name rule (IANA_SVC_NAME)', () => {
  it.each([
    ['tcp-es', []],
    ['http', []],
    ['a1', []],
    ['tcp-elasticsearch', ['must be no more than 15 characters']],
    [
      'TCP',
      [
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must contain at least one letter (a-z)',
      ],
    ],
    ['9200', ['must contain at least one letter (a-z)']],
    ['tcp--es', ['must not contain consecutive hyphens']],
    ['-es', ['must not begin or end with a hyphen']],
    ['es-', ['must not begin or end with a hyphen']],
    [
      'tcp_es',
      [
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
  ])('%s → %j', (name, errs) => {
    expect(portNameErrors(name)).toEqual(errs);
  });

  it('reports the ports of a pod with their paths, and duplicates per container', () => {
    expect(
      messages(
        spec(s => {
          s.containers[0].ports.push(
            { name: 'tcp-mysql', containerPort: 33060 },
            { name: 'tcp-elasticsearch', containerPort: 9200 },
          );
          s.containers.push({
            name: 'exporter',
            image: 'exporter',
            ports: [{ name: 'tcp-mysql', containerPort: 9104 }],
          });
        }),
      ),
    ).toEqual([
      'spec.containers[0].ports[1].name: Duplicate value: "tcp-mysql"',
      'spec.containers[0].ports[2].name: Invalid value: "tcp-elasticsearch": must be no more than 15 characters',
    ]);
  });
});

describe('port numbers and protocols', () => {
  it('accepts 1 to 65535 and TCP, UDP, SCTP, or no protocol (defaulted)', () => {
    for (const [containerPort, protocol] of [
      [1, 'UDP'],
      [65535, 'SCTP'],
      [80, undefined],
    ]) {
      expect(
        messages(
          spec(s => (s.containers[0].ports = [{ containerPort, protocol }])),
        ),
      ).toEqual([]);
    }
  });

  it('refuses out of range, missing and unknown ones', () => {
    expect(
      messages(
        spec(
          s =>
            (s.containers[0].ports = [
              { containerPort: 65536 },
              { containerPort: 80, hostPort: -1 },
              { name: 'p' },
              { containerPort: 80, protocol: 'HTTP' },
            ]),
        ),
      ),
    ).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[2].containerPort: Required value',
      'spec.containers[0].ports[3].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });
});

describe('DNS-1123 labels', () => {
  it.each([
    ['db-0', []],
    ['a'.repeat(63), []],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['db.0', ['must not contain dots']],
    ['Db', [LABEL_REGEX_MSG]],
    ['-db', [LABEL_REGEX_MSG]],
  ])('%s → %j', (v, errs) => {
    expect(dns1123LabelErrors(v)).toEqual(errs);
  });

  it('applies to container, init container and volume names, which are unique', () => {
    expect(
      messages(
        spec(s => {
          s.containers[0].name = 'DB';
          s.initContainers = [{ name: 'DB', image: 'busybox' }];
          s.volumes.push(
            { name: 'data', emptyDir: {} },
            { name: 'cache_dir', emptyDir: {} },
            { name: 'nothing' },
          );
        }),
      ),
    ).toEqual([
      'spec.volumes[1].name: Duplicate value: "data"',
      `spec.volumes[2].name: Invalid value: "cache_dir": ${LABEL_REGEX_MSG}`,
      'spec.volumes[3]: Required value: must specify a volume type',
      `spec.containers[0].name: Invalid value: "DB": ${LABEL_REGEX_MSG}`,
      `spec.initContainers[0].name: Invalid value: "DB": ${LABEL_REGEX_MSG}`,
      'spec.initContainers[0].name: Duplicate value: "DB"',
    ]);
  });

  it('applies to the hostname and subdomain a StatefulSet gives its pods', () => {
    const long = `${'a'.repeat(62)}-0`;
    expect(
      messages(
        spec(s => {
          s.hostname = long;
          s.subdomain = 'db.headless';
        }),
      ),
    ).toEqual([
      `spec.hostname: Invalid value: "${long}": must be no more than 63 characters`,
      'spec.subdomain: Invalid value: "db.headless": must not contain dots',
    ]);
  });

  it('requires containers, their names and images', () => {
    expect(messages({ containers: [] })).toEqual([
      'spec.containers: Required value',
    ]);
    expect(messages({ containers: [{}] })).toEqual([
      'spec.containers[0].name: Required value',
      'spec.containers[0].image: Required value',
    ]);
  });
});

describe('volume mounts', () => {
  it('must name a volume of the pod and use distinct paths', () => {
    expect(
      messages(
        spec(s =>
          s.containers[0].volumeMounts.push(
            { name: 'config', mountPath: '/etc/mysql' },
            { name: 'data', mountPath: '/var/lib/mysql' },
            { name: 'data' },
          ),
        ),
      ),
    ).toEqual([
      'spec.containers[0].volumeMounts[1].name: Not found: "config"',
      'spec.containers[0].volumeMounts[2].mountPath: Invalid value: "/var/lib/mysql": must be unique',
      'spec.containers[0].volumeMounts[3].mountPath: Required value',
    ]);
  });
});

describe('environment variable names', () => {
  it('take, from Kubernetes 1.34 on, any printable ASCII but =', () => {
    expect(envVarNameErrors('node.name')).toEqual([]);
    expect(envVarNameErrors('1st var')).toEqual([]);
    expect(envVarNameErrors('A=B')).toEqual([
      "a valid environment variable name must consist only of printable ASCII characters other than '='",
    ]);
    expect(envVarNameErrors('tab\there')).toHaveLength(1);
  });

  it('follow the C_IDENTIFIER-like rule of earlier releases when strict', () => {
    expect(envVarNameErrors('node.name', true)).toEqual([]);
    expect(envVarNameErrors('-x_Y.1', true)).toEqual([]);
    expect(envVarNameErrors('1ST', true)).toEqual([
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ]);
    expect(envVarNameErrors('..x', true)).toEqual(["must not start with '..'"]);
  });

  it('are reported with their path', () => {
    expect(
      messages(
        spec(s => s.containers[0].env.push({ name: 'A=B' }, { value: 'v' })),
      ),
    ).toEqual([
      `spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.containers[0].env[2].name: Required value',
    ]);
  });
});

describe('resources', () => {
  it('parses quantities', () => {
    expect(quantityValue('500m')).toBe(0.5);
    expect(quantityValue('1Gi')).toBe(2 ** 30);
    expect(quantityValue('1024Mi')).toBe(2 ** 30);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('2k')).toBe(2000);
    expect(quantityValue('lots')).toBeUndefined();
  });

  it('refuses a request above its limit', () => {
    expect(
      messages(
        spec(s => {
          s.containers[0].resources = {
            requests: { cpu: '2', memory: '1Gi' },
            limits: { cpu: '1500m', memory: '1Gi' },
          };
        }),
      ),
    ).toEqual([
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1500m',
    ]);
  });
});

describe('restart policies', () => {
  it('takes Always, OnFailure and Never on a pod', () => {
    for (const p of ['Always', 'OnFailure', 'Never'])
      expect(messages(spec(s => (s.restartPolicy = p)))).toEqual([]);
    expect(messages(spec(s => (s.restartPolicy = 'Sometimes')))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"',
    ]);
  });

  it('takes only Always in a StatefulSet template', () => {
    const sts = (restartPolicy?: string) => ({
      spec: { template: { spec: { restartPolicy } } },
    });
    expect(statefulSetTemplateErrors(sts())).toEqual([]);
    expect(statefulSetTemplateErrors(sts('Always'))).toEqual([]);
    expect(statefulSetTemplateErrors(sts('Never'))).toEqual([
      {
        field: 'spec.template.spec.restartPolicy',
        message: 'Unsupported value: "Never": supported values: "Always"',
        reason: 'FieldValueNotSupported',
      },
    ]);
  });
});

describe('the error message', () => {
  it('holds one cause bare and several in brackets, as the API server', () => {
    const one = [{ field: 'a', message: 'Required value', reason: 'x' }];
    expect(podInvalidMessage('p', one)).toBe(
      'Pod "p" is invalid: a: Required value',
    );
    expect(podInvalidMessage('p', [...one, ...one])).toBe(
      'Pod "p" is invalid: [a: Required value, a: Required value]',
    );
  });
});

describe('the rules against the Kubernetes 1.35 API reference', () => {
  const file = upstreamSchemaPath('kubernetes', '1.35', 'api', 'v1.json');
  const schemas = fs.existsSync(file)
    ? JSON.parse(fs.readFileSync(file, 'utf8')).components.schemas
    : undefined;
  const doc = (type: string, field: string): string =>
    schemas[`io.k8s.api.core.v1.${type}`].properties[field].description;
  // The reference is read where the workspace keeps it; elsewhere skipped.
  (schemas ? describe : describe.skip)('of Kubernetes 1.35', () => {
    it('match what the reference says of each field', () => {
      expect(doc('ContainerPort', 'name')).toMatch(/IANA_SVC_NAME/);
      expect(doc('ContainerPort', 'containerPort')).toMatch(/0 < x < 65536/);
      expect(doc('ContainerPort', 'protocol')).toMatch(/UDP, TCP, or SCTP/);
      expect(doc('Container', 'name')).toMatch(/DNS_LABEL.*unique/);
      expect(doc('Volume', 'name')).toMatch(/DNS_LABEL and unique/);
      expect(doc('EnvVar', 'name')).toMatch(
        /printable ASCII characters except '='/,
      );
    });
  });
});
