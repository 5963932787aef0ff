import { describe, expect, it } from 'vitest';
import {
  accountIdOf,
  actualState,
  ADMIN_POLICY,
  assignment,
  idcUserFor,
  oktaDirectory,
  oktaGroup,
  oktaUser,
  organizationTree,
  permissionSet,
  planOf,
  psTemplate,
  rule,
  selectIds,
  syncPolicy,
} from '../test-support/fixtures.js';
import { renderPlan } from './render-plan.js';

const org = organizationTree({ accounts: [{ n: 0 }, { n: 1 }, { n: 2 }] });
const alice = oktaUser(1);
const bob = oktaUser(2, { status: 'DEPROVISIONED' });
const carol = oktaUser(3);
const team = oktaGroup(1, { name: 'team' });
const okta = oktaDirectory({
  users: [alice, bob, carol],
  groups: [team],
  members: [[team, [alice, bob, carol]]],
});
const users = [idcUserFor(alice, 1), idcUserFor(bob, 2)];
const admin = permissionSet(1, 'Admin', psTemplate({ description: 'old' }), { provisionedTo: [1] });
const old = permissionSet(2, 'Old', psTemplate(), { provisionedTo: [2] });
const policy = syncPolicy({
  rules: [rule('team', { groups: ['team'], permissionSet: 'Admin', accounts: [selectIds(1)] })],
  templates: {
    Admin: psTemplate({ description: 'Administrators', managedPolicies: [ADMIN_POLICY] }),
  },
});

describe('renderPlan', () => {
  const { plan } = planOf(
    policy,
    okta,
    actualState({
      organization: org,
      users,
      permissionSets: [admin, old],
      assignments: [assignment(1, admin, users[1]!), assignment(2, old, users[0]!)],
    }),
  );

  it('renders changes Terraform-style with reasons, risks, pending and the summary line', () => {
    const text = renderPlan(plan, { color: false });
    expect(text).toContain('  ~ permission set Admin\n');
    expect(text).toContain('      ~ description: "old" -> "Administrators"\n');
    expect(text).toContain(`      + managed policy ${ADMIN_POLICY}\n`);
    expect(text).toContain(`  ~ provision Admin to 100000000001 (definition changed)\n`);
    expect(text).toContain(`  + Admin in 100000000001 for user ${alice.login}\n`);
    expect(text).toContain(`      because rule team, Okta group team, user ${alice.login}\n`);
    expect(text).toContain(`  - Admin in 100000000001 for user ${bob.login}\n`);
    expect(text).toContain(`  - Old in 100000000002 for user ${alice.login}\n`);
    expect(text).toContain('  - permission set Old\n');
    expect(text).toContain(
      `      because Okta user ${bob.login} is DEPROVISIONED (user ${bob.login})\n`,
    );
    expect(text).toContain(
      '! last assignment of Old in 100000000002: AWS deletes the role AWSReservedSSO_Old_*',
    );
    expect(text).not.toContain('last assignment of Admin');
    expect(text).toContain(
      `  … user ${carol.login} (${carol.id}): 1 assignment(s) wait, rules team\n`,
    );
    expect(text).toContain('sessions already issued');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'Plan: 1 to add, 1 to change, 3 to destroy, 1 to provision.',
    );
    expect(text).not.toContain('\u001b[');
  });

  it('colours only when asked', () => {
    const text = renderPlan(plan, { color: true });
    expect(text).toContain('\u001b[32m+\u001b[0m Admin in 100000000001');
    expect(text).toContain('\u001b[31m-\u001b[0m Admin in 100000000001');
  });

  it('shows guards, withheld deletes, protected and excluded accounts and problems', () => {
    const guarded = planOf(
      syncPolicy({
        rules: [
          rule('team', {
            groups: ['team'],
            permissionSet: 'Admin',
            accounts: [selectIds(1, 2, 0)],
          }),
          rule('broken', {
            groups: ['team'],
            permissionSet: 'NoTemplate',
            accounts: [selectIds(1)],
          }),
        ],
        templates: { Admin: psTemplate({ description: 'old' }) },
        safety: { maxDeletes: 0, protected: { accounts: [accountIdOf(2)] } },
      }),
      oktaDirectory({ users: [alice, bob, carol], groups: [team] }),
      actualState({
        organization: org,
        users,
        permissionSets: [admin, old],
        assignments: [assignment(1, admin, users[0]!), assignment(1, old, users[0]!)],
      }),
      { previousMemberCounts: { [team.id]: 3 } },
    ).plan;
    const text = renderPlan(guarded);
    expect(text).toContain(
      `Withheld by the empty-source guard (confirm the group to apply):\n  ! Admin in 100000000001 for user ${alice.login} (group team)\n`,
    );
    expect(text).toContain(
      'Protected, never touched:\n  = account 100000000002: protected by safety.protected.accounts (selected by team)\n',
    );
    expect(text).toContain('  = 100000000000 (management-account), selected by team\n');
    expect(text).toContain(
      '  ! rule broken: no template "NoTemplate" defines permission set "NoTemplate"',
    );
    expect(text).toContain(
      'Deletes: 2 (safety.maxDeletes 0): over the limit, apply needs --allow-deletes 2\n',
    );
    expect(text).toContain(
      'Okta group team had 3 member(s) and now reads empty: its deletes are withheld\n',
    );
  });

  it('says so when there is nothing to do', () => {
    const empty = planOf(policy, oktaDirectory({}), actualState({ organization: org })).plan;
    expect(renderPlan(empty)).toBe(
      [
        'okta-aws-sync plan v1 for arn:aws:sso:::instance/ssoins-0123456789abcdef',
        '',
        'No changes. Identity Center matches the rules.',
        '',
        'Deletes: 0 (safety.maxDeletes 25)',
        'Plan: 0 to add, 0 to change, 0 to destroy.',
        '',
      ].join('\n'),
    );
  });
});
