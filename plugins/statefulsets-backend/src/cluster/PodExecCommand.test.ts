import { InputError } from '@backstage/errors';
import {
  assertExecTarget,
  assertNoInlineCredentials,
  findInlineCredential,
} from './PodExecCommand';

describe('findInlineCredential', () => {
  it.each([
    [
      ['mysql', '-uroot', '-phunter2', '-e', 'STOP REPLICA'],
      '-p… in argument 3',
    ],
    [['mysqladmin', '-p5432', 'status'], '-p… in argument 2'],
    [['mysql', '--password=hunter2'], '--password=… in argument 2'],
    [['mongosh', '--password', 'hunter2'], '--password … in argument 2'],
    [['mongosh', '-u', 'admin', '-p', 'hunter2'], '-p … in argument 4'],
    [
      ['sh', '-c', 'mongodump -u admin -p hunter2 --out /tmp/d'],
      '-p … in argument 3',
    ],
    [
      ['curl', '-u', 'elastic:hunter2', 'localhost:9200/_ccr/stats'],
      '-u user:… in argument 2',
    ],
    [
      ['curl', '--user=elastic:hunter2', 'localhost:9200'],
      '-u user:… in argument 2',
    ],
    [
      ['sh', '-c', 'PGPASSWORD=hunter2 psql -c "select 1"'],
      'PGPASSWORD=… in argument 3',
    ],
    [['env', 'MYSQL_PWD=hunter2', 'mysql'], 'MYSQL_PWD=… in argument 2'],
    [
      ['sh', '-c', 'export REDISCLI_AUTH=x; redis-cli info'],
      'REDISCLI_AUTH=… in argument 3',
    ],
    [
      ['redis-cli', '-h', 'localhost', '-a', 'hunter2', 'info'],
      '-a … in argument 4',
    ],
    [
      ['mongosh', 'mongodb://admin:hunter2@localhost:27017/admin'],
      'a user:password@ in a URL in argument 2',
    ],
    [
      ['curl', '-H', 'Authorization: Bearer abc.def', 'http://localhost'],
      'an Authorization: header in argument 3',
    ],
    [
      ['sh', '-c', 'mysql -uroot -p\'hunter2\' -e "STOP REPLICA"'],
      '-p… in argument 3',
    ],
  ])('finds the credential in %j', (command, found) => {
    expect(findInlineCredential(command)).toBe(found);
  });

  it.each([
    [['sh', '-c', 'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e "STOP REPLICA"']],
    [['sh', '-c', 'mysql -uroot -p$MYSQL_PWD -e "SELECT 1"']],
    [['sh', '-c', 'PGPASSWORD="$(cat /etc/db/password)" psql -c "select 1"']],
    [['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" info']],
    [
      [
        'sh',
        '-c',
        'mongosh "mongodb://admin:${MONGO_PASSWORD}@localhost/admin"',
      ],
    ],
    [
      [
        'sh',
        '-c',
        'curl -H "Authorization: Bearer $(cat /var/run/secrets/token)" http://x',
      ],
    ],
    [['psql', '-p', '5432', '-c', 'SELECT pg_promote()']],
    [
      [
        'sh',
        '-c',
        'mongosh -u admin -p "$MONGO_PASSWORD" --eval "rs.status()"',
      ],
    ],
    [['mongosh', '-u', 'admin', '-p', '--eval', 'rs.status()']],
    [['sh', '-c', 'curl -u "elastic:$ELASTIC_PASSWORD" localhost:9200']],
    [['curl', '-u', 'elastic', 'localhost:9200']],
    [['psql', '-p5432', '-c', 'SELECT pg_promote()']],
    [['mysql', '--password', '--execute=STOP REPLICA']],
    [['patronictl', 'switchover', '--candidate', 'db-1', '--force']],
  ])('lets %j through', command => {
    expect(findInlineCredential(command)).toBeUndefined();
  });
});

describe('assertNoInlineCredentials', () => {
  it('refuses with an InputError that says where credentials come from, without the secret', () => {
    let error: unknown;
    try {
      assertNoInlineCredentials(['mysql', '--password=hunter2']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toContain(
      "must come from the pod's environment or a Secret mounted in it",
    );
    expect(message).not.toContain('hunter2');
  });
});

describe('assertExecTarget', () => {
  const target = {
    namespace: 'databases',
    pod: 'orders-mysql-0',
    command: ['true'],
  };

  it('accepts a valid target', () => {
    expect(() => assertExecTarget(target)).not.toThrow();
  });

  it('refuses an empty command and names that are no Kubernetes names', () => {
    expect(() => assertExecTarget({ ...target, command: [] })).toThrow(
      'exec: the command is empty',
    );
    expect(() => assertExecTarget({ ...target, pod: '../secrets' })).toThrow(
      'exec: the pod "../secrets" is not a valid Kubernetes name',
    );
    expect(() =>
      assertExecTarget({ ...target, container: 'My Container' }),
    ).toThrow(
      'exec: the container "My Container" is not a valid Kubernetes name',
    );
  });
});
