import type { AwsScenario, ScenarioAssignment } from './aws-scenario.js';
import { SeededRandom } from './seeded-random.js';

/** Sizes of a generated organisation. */
export interface AwsScenarioSize {
  /** Accounts including the management account. */
  readonly accounts: number;
  readonly permissionSets: number;
  readonly users: number;
  readonly groups: number;
  readonly assignments: number;
  readonly seed?: number;
  /** Share of account × permission-set pairs that hold assignments. Default 0.1. */
  readonly provisionedShare?: number;
}

const firstNames = [
  'ada',
  'alan',
  'grace',
  'linus',
  'barbara',
  'ken',
  'margaret',
  'dennis',
  'radia',
  'edsger',
  'frances',
  'john',
  'hedy',
  'tim',
  'anita',
  'guido',
];
const lastNames = [
  'lovelace',
  'turing',
  'hopper',
  'torvalds',
  'liskov',
  'thompson',
  'hamilton',
  'ritchie',
  'perlman',
  'dijkstra',
  'allen',
  'backus',
  'lamarr',
  'lee',
  'borg',
  'rossum',
];
const roles = [
  'ReadOnly',
  'Admin',
  'PowerUser',
  'Billing',
  'Developer',
  'DataAnalyst',
  'SecurityAudit',
  'NetworkAdmin',
  'Support',
  'DBA',
];
const policies = [
  'arn:aws:iam::aws:policy/ReadOnlyAccess',
  'arn:aws:iam::aws:policy/AdministratorAccess',
  'arn:aws:iam::aws:policy/PowerUserAccess',
  'arn:aws:iam::aws:policy/job-function/Billing',
  'arn:aws:iam::aws:policy/SecurityAudit',
  'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
  'arn:aws:iam::aws:policy/job-function/DatabaseAdministrator',
];
const oktaIdAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A deterministic, realistically sparse large organisation: the same sizes and seed always give
 * the same scenario. About `provisionedShare` (10 %) of account × permission-set pairs carry
 * assignments, mostly to groups; users sit in a few groups each; groups carry Okta-style
 * ExternalIds (`00g…`) as SCIM push records them.
 */
export function generateAwsScenario(size: AwsScenarioSize): AwsScenario {
  const random = new SeededRandom(size.seed ?? 1);
  const managementAccountId = '100000000000';
  const ouNames = ['Security', 'Infrastructure', 'Workloads', 'Sandbox'];
  const organizationalUnits: NonNullable<AwsScenario['organizationalUnits']> = [
    ...ouNames.map((name) => ({ name })),
    { name: 'Production', parent: 'Workloads' },
    { name: 'NonProduction', parent: 'Workloads' },
  ];
  const leafOus = ['Security', 'Infrastructure', 'Production', 'NonProduction', 'Sandbox'];

  const accounts: NonNullable<AwsScenario['accounts']> = [];
  for (let i = 1; i < Math.max(1, size.accounts); i++) {
    const id = String(100000000000 + i * 7919).padStart(12, '0');
    const ou = random.pick(leafOus);
    accounts.push({
      id,
      name: `${ou.toLowerCase()}-${String(i).padStart(4, '0')}`,
      email: `aws+${i}@example.com`,
      parent: ou,
      status: random.chance(0.01) ? 'SUSPENDED' : 'ACTIVE',
      tags: {
        env: ou === 'Production' ? 'prod' : ou === 'NonProduction' ? 'dev' : ou.toLowerCase(),
      },
    });
  }
  const accountIds = [managementAccountId, ...accounts.map((a) => a.id)];

  const users: NonNullable<AwsScenario['users']> = [];
  for (let i = 0; i < size.users; i++) {
    const given = random.pick(firstNames);
    const family = random.pick(lastNames);
    users.push({
      userName: `${given}.${family}.${i}@example.com`,
      givenName: given.charAt(0).toUpperCase() + given.slice(1),
      familyName: family.charAt(0).toUpperCase() + family.slice(1),
      externalId: '00u' + random.chars(17, oktaIdAlphabet),
    });
  }

  const permissionSets: NonNullable<AwsScenario['permissionSets']> = [];
  for (let i = 0; i < size.permissionSets; i++) {
    const role = roles[i % roles.length]!;
    permissionSets.push({
      name: `${role}-${String(i).padStart(4, '0')}`,
      description: `${role} access (${i})`,
      sessionDuration: random.pick(['PT1H', 'PT4H', 'PT8H']),
      managedPolicies: [policies[i % policies.length]!],
    });
  }

  const groups: NonNullable<AwsScenario['groups']> = [];
  for (let i = 0; i < size.groups; i++)
    groups.push({
      displayName: `aws-team-${String(i).padStart(4, '0')}`,
      externalId: '00g' + random.chars(17, oktaIdAlphabet),
      members: [],
    });
  // Each user joins 1–4 groups; memberships are skewed to the first groups as real teams are.
  if (groups.length > 0)
    for (const u of users) {
      const n = 1 + random.int(4);
      const chosen = new Set<number>();
      for (let k = 0; k < n; k++)
        chosen.add(Math.floor(Math.pow(random.next(), 1.5) * groups.length));
      for (const gi of chosen) groups[gi]!.members!.push(u.userName);
    }

  const assignments: ScenarioAssignment[] = [];
  if (
    permissionSets.length > 0 &&
    accountIds.length > 0 &&
    (groups.length > 0 || users.length > 0)
  ) {
    const share = size.provisionedShare ?? 0.1;
    const pairCount = Math.max(
      1,
      Math.min(size.assignments, Math.round(accountIds.length * permissionSets.length * share)),
    );
    const pairs = new Set<string>();
    while (pairs.size < pairCount && pairs.size < accountIds.length * permissionSets.length)
      pairs.add(`${random.int(accountIds.length)}|${random.int(permissionSets.length)}`);
    const pairList = [...pairs];
    const seen = new Set<string>();
    let attempts = 0;
    while (assignments.length < size.assignments && attempts < size.assignments * 4) {
      attempts++;
      // The first pass gives every pair one assignment, then the rest fall at random.
      const pair =
        assignments.length < pairList.length
          ? pairList[assignments.length]!
          : random.pick(pairList);
      const [ai, pi] = pair.split('|').map(Number) as [number, number];
      const asGroup = users.length === 0 || (groups.length > 0 && random.chance(0.85));
      const principal = asGroup ? random.pick(groups).displayName : random.pick(users).userName;
      const key = `${pair}|${principal}`;
      if (seen.has(key)) continue;
      seen.add(key);
      assignments.push({
        accountId: accountIds[ai]!,
        permissionSet: permissionSets[pi]!.name,
        principalType: asGroup ? 'GROUP' : 'USER',
        principal,
      });
    }
  }

  return {
    seed: size.seed ?? 1,
    managementAccountId,
    managementAccountName: 'management',
    managementAccountEmail: 'aws-management@example.com',
    organizationalUnits,
    accounts,
    users,
    groups,
    permissionSets,
    assignments,
  };
}
