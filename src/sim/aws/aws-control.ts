import {
  assignmentKey,
  provisioningKey,
  type AccountStatus,
  type Assignment,
} from './aws-state.js';
import type { CallLog, CallLogSnapshot } from './call-log.js';
import type { CredentialStore } from './credential-store.js';
import type { IdentityStoreWriter } from './services/identitystore-service.js';
import type { SsoAdminService } from './services/sso-admin-service.js';
import {
  simServiceNames,
  type BehaviourSettings,
  type FaultSettings,
  type QuotaSettings,
  type SimRuntime,
  type SimServiceName,
} from './sim-runtime.js';

/** An assignment named by ids, as the control API takes it. */
export interface AssignmentRef {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: 'USER' | 'GROUP';
  readonly principalId: string;
}

/**
 * One CreateAccountAssignment or DeleteAccountAssignment request as the simulator recorded it,
 * with its timing: benchmarks match a change to the moment AWS reported it done.
 */
export interface AssignmentRequestRecord extends AssignmentRef {
  readonly kind: 'create' | 'delete';
  readonly requestId: string;
  readonly status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  /** Epoch ms the request was accepted. */
  readonly createdAt: number;
  /**
   * Epoch ms from which a Describe…Status call reports the terminal status (accepted + the
   * async latency then in force); null while IN_PROGRESS.
   */
  readonly completedAt: number | null;
}

/** A JSON-friendly dump of the whole simulated world. */
export interface AwsStateDump {
  readonly region: string;
  readonly managementAccountId: string;
  readonly instanceArn: string;
  readonly identityStoreId: string;
  readonly organization: {
    readonly id: string;
    readonly rootId: string;
    readonly organizationalUnits: readonly { id: string; name: string; parentId: string }[];
    readonly accounts: readonly {
      id: string;
      name: string;
      email: string;
      status: string;
      parentId: string;
      tags: Record<string, string>;
    }[];
  };
  readonly identityStore: {
    readonly users: readonly Record<string, unknown>[];
    readonly groups: readonly Record<string, unknown>[];
    readonly memberships: readonly { membershipId: string; groupId: string; userId: string }[];
  };
  readonly permissionSets: readonly {
    arn: string;
    name: string;
    description?: string;
    sessionDuration: string;
    relayState?: string;
    managedPolicies: string[];
    customerManagedPolicies: { Name: string; Path: string }[];
    inlinePolicy?: string;
    permissionsBoundary?: unknown;
    tags: Record<string, string>;
  }[];
  readonly assignments: readonly AssignmentRef[];
  readonly provisioned: readonly {
    accountId: string;
    permissionSetArn: string;
    roleName: string;
    status: string;
  }[];
  readonly operations: {
    readonly inProgress: { creations: number; deletions: number; provisionings: number };
    readonly failed: readonly { kind: string; requestId: string; failureReason?: string }[];
  };
  readonly iam: Readonly<
    Record<
      string,
      {
        roles: {
          name: string;
          path: string;
          arn: string;
          trustPolicy: string;
          attachedPolicies: string[];
          inlinePolicies: string[];
          maxSessionDuration: number;
        }[];
        samlProviders: string[];
        users: { name: string; arn: string; groups: string[] }[];
        groups: { name: string; arn: string }[];
        aliases: string[];
      }
    >
  >;
}

/**
 * The simulator's control surface (also served as `/_sim/...`): faults, quotas and behaviour
 * switches at run time, state dumps, the call log, and out-of-band changes as an administrator
 * would make them in the console.
 */
export interface AwsSimulatorControl {
  getFaults(): FaultSettings;
  /** Replaces all faults. */
  setFaults(faults: FaultSettings): void;
  /** Merges into the quota settings (rates take effect at once). */
  setQuotas(quotas: QuotaSettings): void;
  setBehaviour(behaviour: BehaviourSettings): void;
  setAsyncLatency(ms: number): void;
  /** Settles due async operations first, so the dump is what a caller would observe now. */
  dumpState(): AwsStateDump;
  calls(): CallLogSnapshot;
  resetCalls(): void;
  /**
   * Assignment requests still retained for Describe…Status (the most recent 20,000 per kind),
   * creations then deletions, each in acceptance order; due ones are settled first.
   */
  assignmentRequests(): AssignmentRequestRecord[];
  /** Removes an assignment at once (de-provisioning the pair if it was the last). False if absent. */
  deleteAssignment(assignment: AssignmentRef): boolean;
  /** Adds an assignment at once, provisioning the permission set if needed. */
  createAssignment(assignment: AssignmentRef): void;
  /** Sets (or with `undefined`, removes) a permission set's inline policy; accounts go stale. */
  setInlinePolicy(permissionSetArn: string, policy: string | undefined): void;
  attachManagedPolicy(permissionSetArn: string, policyArn: string): void;
  setAccountStatus(accountId: string, status: AccountStatus): void;
  deleteRole(accountId: string, roleName: string): boolean;
  /** SCIM-like push of a user (with its Okta id as ExternalId); updates by userName. Returns the UserId. */
  pushUser(user: {
    userName: string;
    givenName?: string;
    familyName?: string;
    displayName?: string;
    email?: string;
    externalId?: string;
  }): string;
  /** SCIM-like push of a group; updates by displayName. Returns the GroupId. */
  pushGroup(group: { displayName: string; description?: string; externalId?: string }): string;
  addGroupMember(groupId: string, userId: string): string;
  removeGroupMember(groupId: string, userId: string): boolean;
  deleteUser(userId: string): boolean;
  deleteGroup(groupId: string): boolean;
  /** Operation names the simulator implements, per service. */
  implementedOperations(): Readonly<Record<SimServiceName, readonly string[]>>;
  /** The HTTP form of this API; `path` starts with `/_sim`. */
  http(method: string, path: string, body: string | undefined): { status: number; body: unknown };
}

export function createAwsControl(deps: {
  runtime: SimRuntime;
  ssoAdmin: SsoAdminService;
  identityStore: IdentityStoreWriter;
  callLog: CallLog;
  credentials: CredentialStore;
  onQuotasChanged: () => void;
  implementedOperations: () => Readonly<Record<SimServiceName, readonly string[]>>;
}): AwsSimulatorControl {
  const { runtime, ssoAdmin, callLog } = deps;
  const { state, settings } = runtime;
  const instance = state.instance;
  const ids = state.identityStore;

  const psOrThrow = (arn: string) => {
    const ps = instance.permissionSets.get(arn);
    if (!ps) throw new ControlError(404, `unknown permission set ${arn}`);
    return ps;
  };

  const control: AwsSimulatorControl = {
    getFaults: () => settings.faults,
    setFaults: (faults) => {
      settings.faults = { ...faults };
    },
    setQuotas: (quotas) => {
      const { ratePerSecond, burst, ...rest } = quotas;
      Object.assign(settings.quotas, rest);
      if (burst !== undefined) settings.quotas.burst = burst;
      if (ratePerSecond !== undefined)
        for (const s of simServiceNames)
          settings.quotas.ratePerSecond[s] =
            typeof ratePerSecond === 'number'
              ? ratePerSecond
              : (ratePerSecond[s] ?? settings.quotas.ratePerSecond[s]);
      deps.onQuotasChanged();
    },
    setBehaviour: (behaviour) => {
      Object.assign(settings.behaviour, behaviour);
    },
    setAsyncLatency: (ms) => {
      settings.asyncLatencyMs = ms;
    },
    dumpState: () => {
      ssoAdmin.settle();
      return dump(runtime);
    },
    calls: () => callLog.snapshot(),
    resetCalls: () => callLog.reset(),
    assignmentRequests: () => {
      ssoAdmin.settle();
      return [...instance.creations.values(), ...instance.deletions.values()].map((op) => ({
        ...op.assignment,
        kind: op.kind,
        requestId: op.requestId,
        status: op.status,
        createdAt: op.createdDate.getTime(),
        completedAt: op.status === 'IN_PROGRESS' ? null : op.dueAt,
      }));
    },
    deleteAssignment: (a) => {
      ssoAdmin.settle();
      const key = assignmentKey(a);
      if (!instance.assignments.delete(key)) return false;
      ssoAdmin.deprovisionIfUnused(a.accountId, a.permissionSetArn);
      return true;
    },
    createAssignment: (a) => {
      const ps = psOrThrow(a.permissionSetArn);
      if (!state.organization.accounts.has(a.accountId))
        throw new ControlError(404, `unknown account ${a.accountId}`);
      const assignment: Assignment = { ...a };
      instance.assignments.set(assignmentKey(assignment), assignment);
      if (!instance.provisioned.has(provisioningKey(a.accountId, ps.arn)))
        ssoAdmin.provisionNow(a.accountId, ps);
    },
    setInlinePolicy: (arn, policy) => {
      const ps = psOrThrow(arn);
      if (policy === undefined) delete ps.inlinePolicy;
      else ps.inlinePolicy = policy;
      ps.version++;
    },
    attachManagedPolicy: (arn, policyArn) => {
      const ps = psOrThrow(arn);
      if (!ps.managedPolicies.includes(policyArn)) ps.managedPolicies.push(policyArn);
      ps.version++;
    },
    setAccountStatus: (accountId, status) => {
      const account = state.organization.accounts.get(accountId);
      if (!account) throw new ControlError(404, `unknown account ${accountId}`);
      account.status = status;
    },
    deleteRole: (accountId, roleName) => state.iam.get(accountId)?.roles.delete(roleName) ?? false,
    pushUser: (u) => {
      const given = u.givenName ?? u.userName.split(/[.@]/)[0] ?? u.userName;
      const family = u.familyName ?? 'User';
      const attributes = {
        UserName: u.userName,
        DisplayName: u.displayName ?? `${given} ${family}`,
        Name: { GivenName: given, FamilyName: family },
        Emails: [{ Value: u.email ?? u.userName, Type: 'work', Primary: true }],
        ...(u.externalId
          ? { ExternalIds: [{ Issuer: settings.behaviour.externalIdIssuer, Id: u.externalId }] }
          : {}),
      };
      for (const existing of ids.users.values())
        if (existing.UserName.toLowerCase() === u.userName.toLowerCase()) {
          Object.assign(existing, attributes);
          return existing.UserId;
        }
      return deps.identityStore.createUser(attributes).UserId;
    },
    pushGroup: (g) => {
      const attributes = {
        DisplayName: g.displayName,
        ...(g.description !== undefined ? { Description: g.description } : {}),
        ...(g.externalId
          ? { ExternalIds: [{ Issuer: settings.behaviour.externalIdIssuer, Id: g.externalId }] }
          : {}),
      };
      for (const existing of ids.groups.values())
        if (existing.DisplayName.toLowerCase() === g.displayName.toLowerCase()) {
          Object.assign(existing, attributes);
          return existing.GroupId;
        }
      return deps.identityStore.createGroup(attributes).GroupId;
    },
    addGroupMember: (groupId, userId) => {
      if (!ids.groups.has(groupId)) throw new ControlError(404, `unknown group ${groupId}`);
      if (!ids.users.has(userId)) throw new ControlError(404, `unknown user ${userId}`);
      return deps.identityStore.addMember(groupId, userId).MembershipId;
    },
    removeGroupMember: (groupId, userId) => {
      const id = ids.membershipByPair.get(`${groupId}|${userId}`);
      if (!id) return false;
      ids.memberships.delete(id);
      ids.membershipByPair.delete(`${groupId}|${userId}`);
      return true;
    },
    deleteUser: (userId) => {
      if (!ids.users.delete(userId)) return false;
      for (const m of [...ids.memberships.values()])
        if (m.UserId === userId) control.removeGroupMember(m.GroupId, m.UserId);
      return true;
    },
    deleteGroup: (groupId) => {
      if (!ids.groups.delete(groupId)) return false;
      for (const m of [...ids.memberships.values()])
        if (m.GroupId === groupId) control.removeGroupMember(m.GroupId, m.UserId);
      return true;
    },
    implementedOperations: deps.implementedOperations,
    http: (method, path, body) => {
      try {
        return { status: 200, body: route(control, method, path, body) };
      } catch (error) {
        if (error instanceof ControlError)
          return { status: error.status, body: { error: error.message } };
        return {
          status: 400,
          body: { error: error instanceof Error ? error.message : String(error) },
        };
      }
    },
  };
  return control;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `/_sim` routes. GET: `state`, `calls`, `assignment-requests`, `faults`, `settings`, `health`. POST/PUT with a JSON
 * body: `faults` (replace), `quotas`, `behaviour`, `async-latency` `{ms}`, `calls/reset`, and
 * `admin/<action>` where action is one of the control methods by kebab name
 * (`delete-assignment`, `set-inline-policy`, `set-account-status`, `push-user`, …).
 */
function route(
  control: AwsSimulatorControl,
  method: string,
  path: string,
  body: string | undefined,
): unknown {
  const sub = path.replace(/^\/_sim\/?/, '').replace(/\/$/, '');
  const json = (): Record<string, unknown> => {
    if (!body) return {};
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null)
      throw new ControlError(400, 'expected a JSON object');
    return parsed as Record<string, unknown>;
  };
  const s = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (method === 'GET') {
    switch (sub) {
      case '':
      case 'health':
        return { ok: true };
      case 'state':
        return control.dumpState();
      case 'calls':
        return control.calls();
      case 'assignment-requests':
        return control.assignmentRequests();
      case 'faults':
        return control.getFaults();
      case 'operations':
        return control.implementedOperations();
    }
    throw new ControlError(404, `no such control resource: ${path}`);
  }
  if (method === 'DELETE' && sub === 'calls') {
    control.resetCalls();
    return { ok: true };
  }
  if (method !== 'POST' && method !== 'PUT')
    throw new ControlError(405, `${method} not allowed on ${path}`);
  const b = json();
  switch (sub) {
    case 'faults':
      control.setFaults(b as FaultSettings);
      return { ok: true };
    case 'quotas':
      control.setQuotas(b);
      return { ok: true };
    case 'behaviour':
      control.setBehaviour(b);
      return { ok: true };
    case 'async-latency':
      control.setAsyncLatency(Number(b.ms));
      return { ok: true };
    case 'calls/reset':
      control.resetCalls();
      return { ok: true };
    case 'admin/delete-assignment':
      return { deleted: control.deleteAssignment(b as unknown as AssignmentRef) };
    case 'admin/create-assignment':
      control.createAssignment(b as unknown as AssignmentRef);
      return { ok: true };
    case 'admin/set-inline-policy':
      control.setInlinePolicy(
        s(b.permissionSetArn),
        b.policy === undefined || b.policy === null
          ? undefined
          : typeof b.policy === 'string'
            ? b.policy
            : JSON.stringify(b.policy),
      );
      return { ok: true };
    case 'admin/attach-managed-policy':
      control.attachManagedPolicy(s(b.permissionSetArn), s(b.policyArn));
      return { ok: true };
    case 'admin/set-account-status':
      control.setAccountStatus(s(b.accountId), s(b.status) as AccountStatus);
      return { ok: true };
    case 'admin/delete-role':
      return { deleted: control.deleteRole(s(b.accountId), s(b.roleName)) };
    case 'admin/push-user':
      return { userId: control.pushUser(b as Parameters<AwsSimulatorControl['pushUser']>[0]) };
    case 'admin/push-group':
      return { groupId: control.pushGroup(b as Parameters<AwsSimulatorControl['pushGroup']>[0]) };
    case 'admin/add-group-member':
      return { membershipId: control.addGroupMember(s(b.groupId), s(b.userId)) };
    case 'admin/remove-group-member':
      return { removed: control.removeGroupMember(s(b.groupId), s(b.userId)) };
    case 'admin/delete-user':
      return { deleted: control.deleteUser(s(b.userId)) };
    case 'admin/delete-group':
      return { deleted: control.deleteGroup(s(b.groupId)) };
  }
  throw new ControlError(404, `no such control action: ${path}`);
}

function dump(runtime: SimRuntime): AwsStateDump {
  const { state } = runtime;
  const org = state.organization;
  const instance = state.instance;
  const tagsObj = (m: Map<string, string>): Record<string, string> => Object.fromEntries(m);
  const failed: { kind: string; requestId: string; failureReason?: string }[] = [];
  const count = (
    ops: Map<string, { status: string; requestId: string; failureReason?: string }>,
    kind: string,
  ): number => {
    let n = 0;
    for (const op of ops.values()) {
      if (op.status === 'IN_PROGRESS') n++;
      else if (op.status === 'FAILED')
        failed.push({
          kind,
          requestId: op.requestId,
          ...(op.failureReason ? { failureReason: op.failureReason } : {}),
        });
    }
    return n;
  };
  return {
    region: state.region,
    managementAccountId: org.managementAccountId,
    instanceArn: instance.arn,
    identityStoreId: state.identityStore.id,
    organization: {
      id: org.id,
      rootId: org.rootId,
      organizationalUnits: [...org.ous.values()].map((o) => ({
        id: o.id,
        name: o.name,
        parentId: o.parentId,
      })),
      accounts: [...org.accounts.values()].map((a) => ({
        id: a.id,
        name: a.name,
        email: a.email,
        status: a.status,
        parentId: a.parentId,
        tags: tagsObj(a.tags),
      })),
    },
    identityStore: {
      users: [...state.identityStore.users.values()].map((u) => structuredClone(u)),
      groups: [...state.identityStore.groups.values()].map(
        (g) => structuredClone(g) as unknown as Record<string, unknown>,
      ),
      memberships: [...state.identityStore.memberships.values()].map((m) => ({
        membershipId: m.MembershipId,
        groupId: m.GroupId,
        userId: m.UserId,
      })),
    },
    permissionSets: [...instance.permissionSets.values()].map((ps) => ({
      arn: ps.arn,
      name: ps.name,
      ...(ps.description !== undefined ? { description: ps.description } : {}),
      sessionDuration: ps.sessionDuration,
      ...(ps.relayState !== undefined ? { relayState: ps.relayState } : {}),
      managedPolicies: [...ps.managedPolicies],
      customerManagedPolicies: ps.customerManagedPolicies.map((c) => ({ ...c })),
      ...(ps.inlinePolicy !== undefined ? { inlinePolicy: ps.inlinePolicy } : {}),
      ...(ps.permissionsBoundary
        ? { permissionsBoundary: structuredClone(ps.permissionsBoundary) }
        : {}),
      tags: tagsObj(ps.tags),
    })),
    assignments: [...instance.assignments.values()].map((a) => ({ ...a })),
    provisioned: [...instance.provisioned.values()].map((p) => ({
      accountId: p.accountId,
      permissionSetArn: p.permissionSetArn,
      roleName: p.roleName,
      status:
        p.provisionedVersion >= (instance.permissionSets.get(p.permissionSetArn)?.version ?? 0)
          ? 'LATEST_PERMISSION_SET_PROVISIONED'
          : 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
    })),
    operations: {
      inProgress: {
        creations: count(instance.creations, 'create'),
        deletions: count(instance.deletions, 'delete'),
        provisionings: count(instance.provisionings, 'provision'),
      },
      failed,
    },
    iam: Object.fromEntries(
      [...state.iam.values()].map((iam) => [
        iam.accountId,
        {
          roles: [...iam.roles.values()].map((r) => ({
            name: r.roleName,
            path: r.path,
            arn: r.arn,
            trustPolicy: r.assumeRolePolicyDocument,
            attachedPolicies: r.attachedPolicies.map((p) => p.PolicyArn),
            inlinePolicies: [...r.inlinePolicies.keys()],
            maxSessionDuration: r.maxSessionDuration,
          })),
          samlProviders: [...iam.samlProviders.keys()],
          users: [...iam.users.values()].map((u) => ({
            name: u.userName,
            arn: u.arn,
            groups: [...u.groups],
          })),
          groups: [...iam.groups.values()].map((g) => ({ name: g.groupName, arn: g.arn })),
          aliases: [...iam.aliases],
        },
      ]),
    ),
  };
}

/** Service names accepted as fault keys, for documentation and validation by callers. */
export const faultServiceKeys: readonly SimServiceName[] = simServiceNames;
