import type { AwsScenario } from './aws-scenario.js';
import {
  accountIam,
  accountTrustPolicy,
  assignmentKey,
  iamUniqueId,
  policyNameFromArn,
  putRole,
  putSamlProvider,
  samlTrustPolicy,
  type AwsState,
  type ExternalIdRef,
  type PermissionSet,
} from './aws-state.js';
import type { SeededRandom } from './seeded-random.js';
import type { IdentityStoreWriter } from './services/identitystore-service.js';

/** The empty world with the ids a scenario fixes (or random ones in the real formats). */
export function createInitialState(
  scenario: AwsScenario,
  random: SeededRandom,
  region: string,
): AwsState {
  const mgmt = scenario.managementAccountId ?? '111111111111';
  const orgId =
    scenario.organizationId ?? `o-${random.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  const rootId = scenario.rootId ?? `r-${random.chars(4, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  const instanceId = scenario.instanceId ?? `ssoins-${random.hex(16)}`;
  const identityStoreId = scenario.identityStoreId ?? `d-${random.hex(10)}`;
  const created = new Date('2024-01-15T09:00:00Z');
  return {
    region,
    organization: {
      id: orgId,
      arn: `arn:aws:organizations::${mgmt}:organization/${orgId}`,
      managementAccountId: mgmt,
      managementAccountEmail: scenario.managementAccountEmail ?? 'aws-management@example.com',
      rootId,
      rootArn: `arn:aws:organizations::${mgmt}:root/${orgId}/${rootId}`,
      ous: new Map(),
      accounts: new Map([
        [
          mgmt,
          {
            id: mgmt,
            arn: `arn:aws:organizations::${mgmt}:account/${orgId}/${mgmt}`,
            name: scenario.managementAccountName ?? 'management',
            email: scenario.managementAccountEmail ?? 'aws-management@example.com',
            status: 'ACTIVE',
            joinedMethod: 'INVITED',
            joinedTimestamp: created,
            parentId: rootId,
            tags: new Map(),
          },
        ],
      ]),
    },
    identityStore: {
      id: identityStoreId,
      users: new Map(),
      groups: new Map(),
      memberships: new Map(),
      membershipByPair: new Map(),
    },
    instance: {
      arn: `arn:aws:sso:::instance/${instanceId}`,
      identityStoreId,
      ownerAccountId: mgmt,
      name: 'okta-aws-sync',
      createdDate: created,
      permissionSets: new Map(),
      provisioned: new Map(),
      assignments: new Map(),
      creations: new Map(),
      deletions: new Map(),
      provisionings: new Map(),
      tags: new Map(),
    },
    iam: new Map(),
  };
}

function policyText(doc: string | Record<string, unknown>): string {
  return typeof doc === 'string' ? doc : JSON.stringify(doc);
}

/**
 * Seeds the world from a scenario. Assignments apply at once (no async), provisioning their
 * permission sets with the same side effects as the API. Unknown references throw.
 */
export function applyScenario(
  state: AwsState,
  scenario: AwsScenario,
  random: SeededRandom,
  deps: {
    writer: IdentityStoreWriter;
    provisionNow: (accountId: string, ps: PermissionSet) => void;
    externalIdIssuer: string;
  },
): void {
  const org = state.organization;
  const mgmt = org.managementAccountId;
  const ouByName = new Map<string, string>();
  const parentOf = (ref: string | undefined): string => {
    if (!ref) return org.rootId;
    if (org.ous.has(ref) || ref === org.rootId) return ref;
    const id = ouByName.get(ref);
    if (!id) throw new Error(`scenario: unknown organizational unit ${ref}`);
    return id;
  };
  const rootSuffix = org.rootId.slice(2);
  for (const ou of scenario.organizationalUnits ?? []) {
    const id =
      ou.id ?? `ou-${rootSuffix}-${random.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
    org.ous.set(id, {
      id,
      arn: `arn:aws:organizations::${mgmt}:ou/${org.id}/${id}`,
      name: ou.name,
      parentId: parentOf(ou.parent),
      tags: new Map(Object.entries(ou.tags ?? {})),
    });
    ouByName.set(ou.name, id);
  }
  for (const a of scenario.accounts ?? []) {
    if (a.id === mgmt) {
      const m = org.accounts.get(mgmt)!;
      m.name = a.name;
      m.tags = new Map(Object.entries(a.tags ?? {}));
      m.parentId = parentOf(a.parent);
      continue;
    }
    org.accounts.set(a.id, {
      id: a.id,
      arn: `arn:aws:organizations::${mgmt}:account/${org.id}/${a.id}`,
      name: a.name,
      email: a.email ?? `aws+${a.id}@example.com`,
      status: a.status ?? 'ACTIVE',
      joinedMethod: 'CREATED',
      joinedTimestamp: new Date('2024-02-01T10:00:00Z'),
      parentId: parentOf(a.parent),
      tags: new Map(Object.entries(a.tags ?? {})),
    });
  }

  // Accounts created through Organizations carry this role, assumable from the management account.
  accountIam(state, mgmt);
  for (const account of org.accounts.values()) {
    if (account.id === mgmt) continue;
    putRole(state, random, account.id, {
      name: 'OrganizationAccountAccessRole',
      trustPolicy: accountTrustPolicy(mgmt),
      attachedPolicies: [
        {
          PolicyName: 'AdministratorAccess',
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        },
      ],
    });
  }

  const extId = (
    e: string | { issuer: string; id: string } | undefined,
  ): ExternalIdRef[] | undefined =>
    e === undefined
      ? undefined
      : [
          typeof e === 'string'
            ? { Issuer: deps.externalIdIssuer, Id: e }
            : { Issuer: e.issuer, Id: e.id },
        ];

  const userIdByName = new Map<string, string>();
  for (const u of scenario.users ?? []) {
    const given = u.givenName ?? u.userName.split(/[.@]/)[0] ?? u.userName;
    const family = u.familyName ?? 'User';
    const ids = extId(u.externalId);
    const created = deps.writer.createUser({
      ...(u.id ? { UserId: u.id } : {}),
      UserName: u.userName,
      DisplayName: u.displayName ?? `${given} ${family}`,
      Name: { GivenName: given, FamilyName: family },
      Emails: [
        {
          Value: u.email ?? (u.userName.includes('@') ? u.userName : `${u.userName}@example.com`),
          Type: 'work',
          Primary: true,
        },
      ],
      ...(ids ? { ExternalIds: ids } : {}),
    });
    userIdByName.set(u.userName, created.UserId);
  }
  const groupIdByName = new Map<string, string>();
  for (const g of scenario.groups ?? []) {
    const ids = extId(g.externalId);
    const created = deps.writer.createGroup({
      ...(g.id ? { GroupId: g.id } : {}),
      DisplayName: g.displayName,
      ...(g.description !== undefined ? { Description: g.description } : {}),
      ...(ids ? { ExternalIds: ids } : {}),
    });
    groupIdByName.set(g.displayName, created.GroupId);
    for (const member of g.members ?? []) {
      const userId =
        userIdByName.get(member) ?? (state.identityStore.users.has(member) ? member : undefined);
      if (!userId)
        throw new Error(`scenario: group ${g.displayName} names unknown member ${member}`);
      deps.writer.addMember(created.GroupId, userId);
    }
  }

  const instanceId = state.instance.arn.slice(state.instance.arn.lastIndexOf('/') + 1);
  const psByName = new Map<string, PermissionSet>();
  for (const p of scenario.permissionSets ?? []) {
    const ps: PermissionSet = {
      arn: `arn:aws:sso:::permissionSet/${instanceId}/ps-${random.hex(16)}`,
      name: p.name,
      sessionDuration: p.sessionDuration ?? 'PT1H',
      createdDate: new Date('2024-03-01T12:00:00Z'),
      managedPolicies: [...(p.managedPolicies ?? [])],
      customerManagedPolicies: (p.customerManagedPolicies ?? []).map((c) => ({
        Name: c.name,
        Path: c.path ?? '/',
      })),
      tags: new Map(Object.entries(p.tags ?? {})),
      version: 1,
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.relayState !== undefined ? { relayState: p.relayState } : {}),
      ...(p.inlinePolicy !== undefined ? { inlinePolicy: policyText(p.inlinePolicy) } : {}),
    };
    if (p.permissionsBoundary?.managedPolicyArn)
      ps.permissionsBoundary = { ManagedPolicyArn: p.permissionsBoundary.managedPolicyArn };
    else if (p.permissionsBoundary?.customerManagedPolicy)
      ps.permissionsBoundary = {
        CustomerManagedPolicyReference: {
          Name: p.permissionsBoundary.customerManagedPolicy.name,
          Path: p.permissionsBoundary.customerManagedPolicy.path ?? '/',
        },
      };
    state.instance.permissionSets.set(ps.arn, ps);
    psByName.set(ps.name, ps);
  }

  for (const a of scenario.assignments ?? []) {
    const ps = psByName.get(a.permissionSet) ?? state.instance.permissionSets.get(a.permissionSet);
    if (!ps)
      throw new Error(`scenario: assignment names unknown permission set ${a.permissionSet}`);
    const principalId =
      a.principalType === 'USER'
        ? (userIdByName.get(a.principal) ??
          (state.identityStore.users.has(a.principal) ? a.principal : undefined))
        : (groupIdByName.get(a.principal) ??
          (state.identityStore.groups.has(a.principal) ? a.principal : undefined));
    if (!principalId)
      throw new Error(
        `scenario: assignment names unknown ${a.principalType.toLowerCase()} ${a.principal}`,
      );
    if (!org.accounts.has(a.accountId))
      throw new Error(`scenario: assignment names unknown account ${a.accountId}`);
    const assignment = {
      accountId: a.accountId,
      permissionSetArn: ps.arn,
      principalType: a.principalType,
      principalId,
    };
    state.instance.assignments.set(assignmentKey(assignment), assignment);
    deps.provisionNow(a.accountId, ps);
  }

  for (const [accountId, spec] of Object.entries(scenario.iam ?? {})) {
    const iam = accountIam(state, accountId);
    if (spec.aliases) iam.aliases = [...spec.aliases];
    for (const p of spec.samlProviders ?? [])
      putSamlProvider(state, accountId, p.name, p.metadataDocument);
    for (const r of spec.roles ?? []) {
      let trust: string;
      if (r.trustPolicy !== undefined) trust = policyText(r.trustPolicy);
      else if (r.samlProvider) {
        const arn = `arn:aws:iam::${accountId}:saml-provider/${r.samlProvider}`;
        if (!iam.samlProviders.has(arn)) putSamlProvider(state, accountId, r.samlProvider);
        trust = samlTrustPolicy(arn);
      } else trust = accountTrustPolicy(mgmt);
      putRole(state, random, accountId, {
        name: r.name,
        trustPolicy: trust,
        ...(r.path !== undefined ? { path: r.path } : {}),
        ...(r.description !== undefined ? { description: r.description } : {}),
        ...(r.maxSessionDuration !== undefined ? { maxSessionDuration: r.maxSessionDuration } : {}),
        attachedPolicies: (r.managedPolicies ?? []).map((arn) => ({
          PolicyName: policyNameFromArn(arn),
          PolicyArn: arn,
        })),
        inlinePolicies: new Map(
          Object.entries(r.inlinePolicies ?? {}).map(([k, v]) => [k, policyText(v)]),
        ),
        tags: new Map(Object.entries(r.tags ?? {})),
      });
    }
    for (const g of spec.groups ?? []) {
      const path = g.path ?? '/';
      iam.groups.set(g.name, {
        path,
        groupName: g.name,
        groupId: iamUniqueId(random, 'AGPA'),
        arn: `arn:aws:iam::${accountId}:group${path}${g.name}`,
        createDate: new Date('2024-02-01T10:00:00Z'),
        attachedPolicies: (g.managedPolicies ?? []).map((arn) => ({
          PolicyName: policyNameFromArn(arn),
          PolicyArn: arn,
        })),
      });
    }
    for (const u of spec.users ?? []) {
      const path = u.path ?? '/';
      iam.users.set(u.name, {
        path,
        userName: u.name,
        userId: iamUniqueId(random, 'AIDA'),
        arn: `arn:aws:iam::${accountId}:user${path}${u.name}`,
        createDate: new Date('2024-02-01T10:00:00Z'),
        groups: [...(u.groups ?? [])],
        attachedPolicies: (u.managedPolicies ?? []).map((arn) => ({
          PolicyName: policyNameFromArn(arn),
          PolicyArn: arn,
        })),
        inlinePolicies: new Map(),
        tags: new Map(),
      });
    }
  }
}
