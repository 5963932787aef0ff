import type { AwsStateDump } from './aws-control.js';

/**
 * Every account assignment in a state dump as `account|permission set name|TYPE|principal name`
 * (userName or group displayName; the raw id when the principal is gone), sorted. A readable,
 * comparable view of "who has what" for tests, the demo and benchmarks.
 */
export function assignmentRows(dump: AwsStateDump): string[] {
  const psName = new Map(dump.permissionSets.map((ps) => [ps.arn, ps.name]));
  const users = new Map(
    dump.identityStore.users.map((u) => [String(u.UserId), String(u.UserName)]),
  );
  const groups = new Map(
    dump.identityStore.groups.map((g) => [String(g.GroupId), String(g.DisplayName)]),
  );
  return dump.assignments
    .map((a) => {
      const names = a.principalType === 'USER' ? users : groups;
      const ps = psName.get(a.permissionSetArn) ?? a.permissionSetArn;
      return `${a.accountId}|${ps}|${a.principalType}|${names.get(a.principalId) ?? a.principalId}`;
    })
    .sort();
}
