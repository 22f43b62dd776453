/*
 * The MongoDB provider's mongosh command lines pass the exec guard: with
 * authentication the user and password are the pod's own variables, so
 * nothing secret is journaled.
 */
import { mongoshCommand } from '@multicluster/backstage-plugin-statefulsets-node';
import { findInlineCredential } from '../cluster/PodExecCommand';

describe('mongosh through pods/exec', () => {
  it('carries no inline credential, with or without authentication', () => {
    const js =
      'JSON.stringify(rs.reconfig({"_id":"sessions","members":[{"_id":0,"host":"db-0:27017","priority":2}]}, {force: false}))';
    expect(findInlineCredential(mongoshCommand(js, false))).toBeUndefined();
    expect(findInlineCredential(mongoshCommand(js, true))).toBeUndefined();
  });

  it('would be refused with a password written out', () => {
    const [sh, c, script] = mongoshCommand('db.hello()', true);
    expect(
      findInlineCredential([
        sh,
        c,
        script.replace('-p "$MONGO_INITDB_ROOT_PASSWORD"', '--password s3cret'),
      ]),
    ).toBe('--password … in argument 3');
  });
});
