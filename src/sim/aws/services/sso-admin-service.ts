import { createHash } from 'node:crypto';

import { AwsSimError } from '../aws-sim-error.js';
import {
  accountIam,
  assignmentKey,
  policyNameFromArn,
  provisioningKey,
  putRole,
  putSamlProvider,
  samlTrustPolicy,
  type Assignment,
  type AssignmentOperation,
  type AttachedPolicy,
  type PermissionSet,
  type ProvisioningOperation,
} from '../aws-state.js';
import {
  invalidNextToken,
  optStr,
  paginate,
  str,
  type OperationHandler,
  type RequestContext,
  type SimRuntime,
} from '../sim-runtime.js';

const page100 = { defaultSize: 100, maxSize: 100 } as const;
/** Terminal status records kept per kind; AWS's retention is UNVERIFIED (ref §5.4). */
const statusRetention = 20_000;

/** The sso-admin (IAM Identity Center admin) service: handlers plus the async engine. */
export interface SsoAdminService {
  readonly handlers: Readonly<Record<string, OperationHandler>>;
  /** Decides every async operation whose due time has passed. Called before each request. */
  settle(): void;
  /** Provisions a permission set into an account at once (scenario seeding, admin mutations). */
  provisionNow(accountId: string, ps: PermissionSet): void;
  /** Removes the provisioning and the role when no assignment of the pair is left. */
  deprovisionIfUnused(accountId: string, permissionSetArn: string): void;
}

/** Builds the sso-admin handlers over the shared runtime. */
export function createSsoAdminService(runtime: SimRuntime): SsoAdminService {
  const { state, random } = runtime;
  const instance = state.instance;
  // In-progress operations, kept apart so per-request settling does not scan status history.
  const pendingCreations = new Set<AssignmentOperation>();
  const pendingDeletions = new Set<AssignmentOperation>();
  const pendingProvisionings = new Set<ProvisioningOperation>();
  /**
   * Whether an injected fault (an async failure, a concurrent-modification conflict) hits this
   * request. The draw depends on the seed, the fault, the request's target and how many
   * requests that target has had, not on the order requests arrive in, so a seeded run hits the
   * same operations however its callers interleave (and whatever ran before on the simulator).
   */
  const faultSalt = random.hex(16);
  const attemptsPerTarget = new Map<string, number>();
  const drawFault = (probability: number | undefined, target: string): boolean => {
    if (!probability) return false;
    const attempt = (attemptsPerTarget.get(target) ?? 0) + 1;
    attemptsPerTarget.set(target, attempt);
    const digest = createHash('sha256').update(`${faultSalt}|${target}|${attempt}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32 < probability;
  };

  const checkInstance = (input: Record<string, unknown>): void => {
    const arn = input.InstanceArn;
    if (arn !== undefined && arn !== instance.arn)
      throw new AwsSimError(
        'ResourceNotFoundException',
        `Instance ${typeof arn === 'string' ? arn : JSON.stringify(arn)} not found.`,
      );
  };

  const getPs = (input: Record<string, unknown>): PermissionSet => {
    checkInstance(input);
    const arn = str(input, 'PermissionSetArn');
    const ps = instance.permissionSets.get(arn);
    if (!ps)
      throw new AwsSimError(
        'ResourceNotFoundException',
        `Could not find PermissionSet with PermissionSetArn ${arn}.`,
      );
    return ps;
  };

  /**
   * Concurrent changes to one permission set raise ConflictException (ref §6, model doc): the
   * simulator raises it while a provisioning of that set is running, and at random when the
   * `conflictProbability` fault is set.
   */
  const beginPsWrite = (ps: PermissionSet, ctx: RequestContext): void => {
    settle();
    for (const op of pendingProvisionings) {
      if (op.permissionSetArn === ps.arn)
        throw new AwsSimError(
          'ConflictException',
          'A conflicting operation is currently processing against this resource. Please try again.',
        );
    }
    if (drawFault(ctx.faults.conflictProbability, `conflict|${ctx.operation}|${ps.name}`))
      throw new AwsSimError(
        'ConflictException',
        'A conflicting operation is currently processing against this resource. Please try again.',
      );
  };

  /** A change provisioning must carry: provisioned accounts become NOT_PROVISIONED (ref §5.5). */
  const changed = (ps: PermissionSet): void => {
    ps.version++;
  };

  const samlProviderFor = (accountId: string): string => {
    const iam = accountIam(state, accountId);
    for (const p of iam.samlProviders.values())
      if (/^AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/.test(p.name)) return p.arn;
    return putSamlProvider(state, accountId, `AWSSSO_${random.hex(16)}_DO_NOT_DELETE`).arn;
  };

  const rolePolicies = (accountId: string, ps: PermissionSet): AttachedPolicy[] => [
    ...ps.managedPolicies.map((arn) => ({ PolicyName: policyNameFromArn(arn), PolicyArn: arn })),
    ...ps.customerManagedPolicies.map((ref) => ({
      PolicyName: ref.Name,
      PolicyArn: `arn:aws:iam::${accountId}:policy${ref.Path}${ref.Name}`,
    })),
  ];

  /**
   * Provisioning creates `AWSReservedSSO_<name>_<16 hex>` under
   * `/aws-reserved/sso.amazonaws.com/[region/]` and the account's `AWSSSO_<16 hex>_DO_NOT_DELETE`
   * SAML provider (ref §3, §9); re-provisioning updates the role in place.
   */
  const provisionNow = (accountId: string, ps: PermissionSet): void => {
    const key = provisioningKey(accountId, ps.arn);
    const existing = instance.provisioned.get(key);
    const iam = accountIam(state, accountId);
    const inline = new Map<string, string>();
    if (ps.inlinePolicy) inline.set('AwsSSOInlinePolicy', ps.inlinePolicy);
    if (existing) {
      const role = iam.roles.get(existing.roleName);
      if (role) {
        role.attachedPolicies = rolePolicies(accountId, ps);
        role.inlinePolicies = inline;
        role.maxSessionDuration = durationSeconds(ps.sessionDuration);
      }
      existing.provisionedVersion = ps.version;
      return;
    }
    const roleName = `AWSReservedSSO_${ps.name}_${random.hex(16)}`;
    const path =
      state.region === 'us-east-1'
        ? '/aws-reserved/sso.amazonaws.com/'
        : `/aws-reserved/sso.amazonaws.com/${state.region}/`;
    putRole(state, random, accountId, {
      name: roleName,
      path,
      trustPolicy: samlTrustPolicy(samlProviderFor(accountId)),
      maxSessionDuration: durationSeconds(ps.sessionDuration),
      attachedPolicies: rolePolicies(accountId, ps),
      inlinePolicies: inline,
    });
    instance.provisioned.set(key, {
      accountId,
      permissionSetArn: ps.arn,
      provisionedVersion: ps.version,
      roleName,
    });
  };

  /**
   * Removing the last assignment of a permission set in an account de-provisions it and deletes
   * the role (ref §9, UNVERIFIED as documented behaviour but widely observed); a later
   * assignment creates a role with a new suffix.
   */
  const deprovisionIfUnused = (accountId: string, permissionSetArn: string): void => {
    for (const a of instance.assignments.values())
      if (a.accountId === accountId && a.permissionSetArn === permissionSetArn) return;
    const key = provisioningKey(accountId, permissionSetArn);
    const p = instance.provisioned.get(key);
    if (!p) return;
    instance.provisioned.delete(key);
    accountIam(state, accountId).roles.delete(p.roleName);
  };

  const provisionedCount = (accountId: string): number => {
    let n = 0;
    for (const p of instance.provisioned.values()) if (p.accountId === accountId) n++;
    return n;
  };

  const principalMissing = (a: Assignment): string | undefined => {
    const exists =
      a.principalType === 'USER'
        ? state.identityStore.users.has(a.principalId)
        : state.identityStore.groups.has(a.principalId);
    return exists
      ? undefined
      : `Received a 404 status error: the ${a.principalType} assignee ${a.principalId} was not found in directory ${state.identityStore.id}`;
  };

  const accountProblem = (accountId: string): string | undefined => {
    const account = state.organization.accounts.get(accountId);
    if (!account)
      return `Received a 404 status error: AWS account ${accountId} is not part of the organization.`;
    if (account.status !== 'ACTIVE')
      return `Received a 409 status error: AWS account ${accountId} is ${account.status.toLowerCase()} and cannot be assigned.`;
    return undefined;
  };

  const internalFailure = 'An unexpected internal service exception was encountered';

  const completeCreation = (op: AssignmentOperation): void => {
    const a = op.assignment;
    const ps = instance.permissionSets.get(a.permissionSetArn);
    const fail = (reason: string): void => {
      op.status = 'FAILED';
      op.failureReason = reason;
    };
    if (!ps)
      return fail(`Received a 404 status error: Permission set ${a.permissionSetArn} not found.`);
    const accountReason = accountProblem(a.accountId);
    if (accountReason) return fail(accountReason);
    const principalReason = principalMissing(a);
    if (principalReason) return fail(principalReason);
    const key = provisioningKey(a.accountId, ps.arn);
    if (
      !instance.provisioned.has(key) &&
      provisionedCount(a.accountId) >= runtime.settings.quotas.provisionedPermissionSetsPerAccount
    )
      return fail(
        `Received a 402 status error: The quota of provisioned permission sets for AWS account ${a.accountId} has been reached.`,
      );
    if (op.injectedFailure) return fail(internalFailure);
    instance.assignments.set(assignmentKey(a), { ...a });
    if (!instance.provisioned.has(key)) provisionNow(a.accountId, ps);
    op.status = 'SUCCEEDED';
  };

  const completeDeletion = (op: AssignmentOperation): void => {
    const a = op.assignment;
    const fail = (reason: string): void => {
      op.status = 'FAILED';
      op.failureReason = reason;
    };
    // A deleted principal's assignments stay and their deletion fails (ref §6, TF #19341).
    const principalReason = principalMissing(a);
    if (principalReason) return fail(principalReason);
    const key = assignmentKey(a);
    if (!instance.assignments.has(key))
      return fail('Received a 404 status error: Assignment not found.');
    if (op.injectedFailure) return fail(internalFailure);
    instance.assignments.delete(key);
    deprovisionIfUnused(a.accountId, a.permissionSetArn);
    op.status = 'SUCCEEDED';
  };

  const completeProvisioning = (op: ProvisioningOperation): void => {
    const fail = (reason: string): void => {
      op.status = 'FAILED';
      op.failureReason = reason;
    };
    const ps = instance.permissionSets.get(op.permissionSetArn);
    if (!ps)
      return fail(`Received a 404 status error: Permission set ${op.permissionSetArn} not found.`);
    if (op.injectedFailure) return fail(internalFailure);
    if (op.targetType === 'AWS_ACCOUNT') {
      const accountId = op.accountId ?? '';
      const accountReason = accountProblem(accountId);
      if (accountReason) return fail(accountReason);
      // Provisioning an account that holds no provisioning of the set fails like this when it
      // races with removal of the last assignment (ref §5.2, TF #35158).
      if (!instance.provisioned.has(provisioningKey(accountId, ps.arn)))
        return fail(
          `Received a 404 status error: Permission set provision not found in AWS account ${accountId}.`,
        );
      provisionNow(accountId, ps);
    } else {
      for (const p of [...instance.provisioned.values()])
        if (p.permissionSetArn === ps.arn) provisionNow(p.accountId, ps);
    }
    op.status = 'SUCCEEDED';
  };

  function settle(): void {
    const now = runtime.now();
    const due: { dueAt: number; run: () => void }[] = [];
    for (const op of pendingCreations)
      if (op.dueAt <= now) {
        pendingCreations.delete(op);
        due.push({ dueAt: op.dueAt, run: () => completeCreation(op) });
      }
    for (const op of pendingDeletions)
      if (op.dueAt <= now) {
        pendingDeletions.delete(op);
        due.push({ dueAt: op.dueAt, run: () => completeDeletion(op) });
      }
    for (const op of pendingProvisionings)
      if (op.dueAt <= now) {
        pendingProvisionings.delete(op);
        due.push({ dueAt: op.dueAt, run: () => completeProvisioning(op) });
      }
    due.sort((a, b) => a.dueAt - b.dueAt);
    for (const d of due) d.run();
  }

  const trim = <T extends { status: string }>(ops: Map<string, T>): void => {
    if (ops.size <= statusRetention) return;
    for (const [id, op] of ops) {
      if (ops.size <= statusRetention) break;
      if (op.status !== 'IN_PROGRESS') ops.delete(id);
    }
  };

  /** A delegated administrator may not touch the management account (ref §6). */
  const checkManagementAccountAccess = (
    ctx: RequestContext,
    accountIds: readonly string[],
  ): void => {
    const mgmt = state.organization.managementAccountId;
    if (ctx.principal.accountId !== mgmt && accountIds.includes(mgmt))
      throw new AwsSimError(
        'AccessDeniedException',
        `User: ${ctx.principal.arn} is not authorized to perform: sso:${ctx.operation} on the management account ${mgmt} as delegated administrator.`,
      );
  };

  const assignmentInput = (input: Record<string, unknown>): Assignment => ({
    accountId: str(input, 'TargetId'),
    permissionSetArn: str(input, 'PermissionSetArn'),
    principalType: str(input, 'PrincipalType') === 'USER' ? 'USER' : 'GROUP',
    principalId: str(input, 'PrincipalId'),
  });

  const assignmentStatus = (op: AssignmentOperation): Record<string, unknown> => ({
    Status: op.status,
    RequestId: op.requestId,
    ...(op.failureReason ? { FailureReason: op.failureReason } : {}),
    TargetId: op.assignment.accountId,
    TargetType: 'AWS_ACCOUNT',
    PermissionSetArn: op.assignment.permissionSetArn,
    PrincipalType: op.assignment.principalType,
    PrincipalId: op.assignment.principalId,
    CreatedDate: op.createdDate,
  });

  const provisioningStatus = (op: ProvisioningOperation): Record<string, unknown> => ({
    Status: op.status,
    RequestId: op.requestId,
    ...(op.accountId ? { AccountId: op.accountId } : {}),
    PermissionSetArn: op.permissionSetArn,
    ...(op.failureReason ? { FailureReason: op.failureReason } : {}),
    CreatedDate: op.createdDate,
  });

  const limitError = (what: string): AwsSimError =>
    new AwsSimError(runtime.settings.behaviour.asyncLimitErrorCode, `Rate exceeded: ${what}`);

  const sameTupleInProgress = (
    ops: ReadonlySet<AssignmentOperation>,
    key: string,
  ): AssignmentOperation | undefined => {
    for (const op of ops) if (assignmentKey(op.assignment) === key) return op;
    return undefined;
  };

  const describePs = (ps: PermissionSet): Record<string, unknown> => ({
    Name: ps.name,
    PermissionSetArn: ps.arn,
    ...(ps.description !== undefined ? { Description: ps.description } : {}),
    CreatedDate: ps.createdDate,
    SessionDuration: ps.sessionDuration,
    ...(ps.relayState !== undefined ? { RelayState: ps.relayState } : {}),
  });

  const policyCount = (ps: PermissionSet): number =>
    ps.managedPolicies.length + ps.customerManagedPolicies.length;

  const checkPolicyQuota = (ps: PermissionSet): void => {
    if (policyCount(ps) >= runtime.settings.quotas.policiesPerPermissionSet)
      throw new AwsSimError(
        'ServiceQuotaExceededException',
        `The permission set ${ps.arn} already has the maximum of ${runtime.settings.quotas.policiesPerPermissionSet} managed and customer managed policies.`,
      );
  };

  const tagsTarget = (input: Record<string, unknown>): Map<string, string> => {
    checkInstance(input);
    const arn = str(input, 'ResourceArn');
    if (arn === instance.arn) return instance.tags;
    const ps = instance.permissionSets.get(arn);
    if (!ps) throw new AwsSimError('ResourceNotFoundException', `Resource ${arn} not found.`);
    return ps.tags;
  };

  const checkPolicyJson = (policy: string, member: string): void => {
    try {
      const parsed: unknown = JSON.parse(policy);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    } catch {
      throw new AwsSimError(
        'ValidationException',
        `The ${member} is not a valid JSON policy document.`,
      );
    }
  };

  /** Describe…Status: one async request by its id, or ResourceNotFoundException naming it. */
  const describeAsyncRequest =
    <Op>(
      requests: ReadonlyMap<string, Op>,
      idMember: string,
      outputMember: string,
      status: (op: Op) => unknown,
    ): OperationHandler =>
    (input) => {
      checkInstance(input);
      const id = str(input, idMember);
      const op = requests.get(id);
      if (!op) throw new AwsSimError('ResourceNotFoundException', `${idMember} ${id} not found.`);
      return { [outputMember]: status(op) };
    };

  /** List…Status: async requests, optionally filtered by status, paginated like AWS. */
  const listAsyncRequests =
    (
      requests: ReadonlyMap<string, { status: string; requestId: string; createdDate: Date }>,
      operation: string,
      outputMember: string,
    ): OperationHandler =>
    (input) => {
      checkInstance(input);
      const filter = (input.Filter as { Status?: string } | undefined)?.Status;
      const items = [...requests.values()]
        .filter((op) => !filter || op.status === filter)
        .map((op) => ({ Status: op.status, RequestId: op.requestId, CreatedDate: op.createdDate }));
      const { page, next } = paginate(
        runtime,
        items,
        `${operation}|${filter ?? ''}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { [outputMember]: page, ...(next ? { NextToken: next } : {}) };
    };

  const handlers: Record<string, OperationHandler> = {
    ListInstances: (input) => {
      const items = [
        {
          InstanceArn: instance.arn,
          IdentityStoreId: instance.identityStoreId,
          OwnerAccountId: instance.ownerAccountId,
          Name: instance.name,
          CreatedDate: instance.createdDate,
          Status: 'ACTIVE',
        },
      ];
      const { page, next } = paginate(
        runtime,
        items,
        'ListInstances',
        input.NextToken,
        input.MaxResults,
        { defaultSize: 10, maxSize: 100 },
        invalidNextToken,
      );
      return { Instances: page, ...(next ? { NextToken: next } : {}) };
    },

    DescribeInstance: (input) => {
      checkInstance(input);
      return {
        InstanceArn: instance.arn,
        IdentityStoreId: instance.identityStoreId,
        OwnerAccountId: instance.ownerAccountId,
        Name: instance.name,
        CreatedDate: instance.createdDate,
        Status: 'ACTIVE',
      };
    },

    CreatePermissionSet: (input) => {
      checkInstance(input);
      const name = str(input, 'Name');
      for (const ps of instance.permissionSets.values())
        if (ps.name === name)
          throw new AwsSimError(
            'ConflictException',
            `PermissionSet with name ${name} already exists.`,
          );
      if (instance.permissionSets.size >= runtime.settings.quotas.permissionSetsPerInstance)
        throw new AwsSimError(
          'ServiceQuotaExceededException',
          `The instance has reached the maximum of ${runtime.settings.quotas.permissionSetsPerInstance} permission sets.`,
        );
      const ps: PermissionSet = {
        arn: `arn:aws:sso:::permissionSet/${instance.arn.slice(instance.arn.lastIndexOf('/') + 1)}/ps-${random.hex(16)}`,
        name,
        sessionDuration: optStr(input, 'SessionDuration') ?? 'PT1H',
        createdDate: new Date(runtime.now()),
        managedPolicies: [],
        customerManagedPolicies: [],
        tags: tagMap(input.Tags),
        version: 1,
      };
      const description = optStr(input, 'Description');
      if (description !== undefined) ps.description = description;
      const relayState = optStr(input, 'RelayState');
      if (relayState !== undefined) ps.relayState = relayState;
      instance.permissionSets.set(ps.arn, ps);
      return { PermissionSet: describePs(ps) };
    },

    DescribePermissionSet: (input) => ({ PermissionSet: describePs(getPs(input)) }),

    UpdatePermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const description = optStr(input, 'Description');
      if (description !== undefined) ps.description = description;
      const session = optStr(input, 'SessionDuration');
      if (session !== undefined) ps.sessionDuration = session;
      // Omitting RelayState clears it (ref §6, TF #17411).
      const relayState = optStr(input, 'RelayState');
      if (relayState !== undefined) ps.relayState = relayState;
      else delete ps.relayState;
      changed(ps);
      return {};
    },

    DeletePermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      // Full AWS text is UNVERIFIED (ref §6); the prefix "Could not delete because" is observed.
      for (const a of instance.assignments.values())
        if (a.permissionSetArn === ps.arn)
          throw new AwsSimError(
            'ConflictException',
            `Could not delete because PermissionSet ${ps.arn} has account assignments.`,
          );
      for (const p of instance.provisioned.values())
        if (p.permissionSetArn === ps.arn)
          throw new AwsSimError(
            'ConflictException',
            `Could not delete because PermissionSet ${ps.arn} is provisioned to AWS account ${p.accountId}.`,
          );
      instance.permissionSets.delete(ps.arn);
      return {};
    },

    ListPermissionSets: (input) => {
      checkInstance(input);
      const arns = [...instance.permissionSets.keys()];
      const { page, next } = paginate(
        runtime,
        arns,
        'ListPermissionSets',
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { PermissionSets: page, ...(next ? { NextToken: next } : {}) };
    },

    ProvisionPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      settle();
      const targetType = str(input, 'TargetType') as ProvisioningOperation['targetType'];
      const targetId = optStr(input, 'TargetId');
      checkManagementAccountAccess(
        ctx,
        targetType === 'AWS_ACCOUNT'
          ? [targetId ?? '']
          : [...instance.provisioned.values()]
              .filter((p) => p.permissionSetArn === ps.arn)
              .map((p) => p.accountId),
      );
      if (targetType === 'AWS_ACCOUNT' && targetId === undefined)
        throw new AwsSimError(
          'ValidationException',
          'TargetId is required when TargetType is AWS_ACCOUNT.',
        );
      if (pendingProvisionings.size >= runtime.settings.quotas.concurrentProvisions)
        throw limitError(
          `at most ${runtime.settings.quotas.concurrentProvisions} concurrent ProvisionPermissionSet calls`,
        );
      const op: ProvisioningOperation = {
        requestId: random.uuid(),
        status: 'IN_PROGRESS',
        permissionSetArn: ps.arn,
        targetType,
        ...(targetType === 'AWS_ACCOUNT' && targetId ? { accountId: targetId } : {}),
        createdDate: new Date(runtime.now()),
        dueAt: runtime.now() + runtime.settings.asyncLatencyMs,
        injectedFailure: drawFault(
          ctx.faults.asyncFailureProbability,
          `provision|${ps.arn}|${targetId ?? targetType}`,
        ),
      };
      instance.provisionings.set(op.requestId, op);
      pendingProvisionings.add(op);
      trim(instance.provisionings);
      return { PermissionSetProvisioningStatus: provisioningStatus(op) };
    },

    DescribePermissionSetProvisioningStatus: describeAsyncRequest(
      instance.provisionings,
      'ProvisionPermissionSetRequestId',
      'PermissionSetProvisioningStatus',
      provisioningStatus,
    ),

    ListPermissionSetProvisioningStatus: listAsyncRequests(
      instance.provisionings,
      'ListPermissionSetProvisioningStatus',
      'PermissionSetsProvisioningStatus',
    ),

    AttachManagedPolicyToPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const arn = str(input, 'ManagedPolicyArn');
      if (ps.managedPolicies.includes(arn))
        throw new AwsSimError(
          'ConflictException',
          `Managed policy ${arn} is already attached to the permission set.`,
        );
      checkPolicyQuota(ps);
      ps.managedPolicies.push(arn);
      changed(ps);
      return {};
    },

    DetachManagedPolicyFromPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const arn = str(input, 'ManagedPolicyArn');
      const i = ps.managedPolicies.indexOf(arn);
      if (i < 0)
        throw new AwsSimError(
          'ResourceNotFoundException',
          `Managed policy ${arn} is not attached to the permission set.`,
        );
      ps.managedPolicies.splice(i, 1);
      changed(ps);
      return {};
    },

    ListManagedPoliciesInPermissionSet: (input) => {
      const ps = getPs(input);
      const items = ps.managedPolicies.map((arn) => ({ Name: policyNameFromArn(arn), Arn: arn }));
      const { page, next } = paginate(
        runtime,
        items,
        `ListManagedPoliciesInPermissionSet|${ps.arn}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { AttachedManagedPolicies: page, ...(next ? { NextToken: next } : {}) };
    },

    AttachCustomerManagedPolicyReferenceToPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const ref = input.CustomerManagedPolicyReference as { Name: string; Path?: string };
      const normalised = { Name: ref.Name, Path: ref.Path ?? '/' };
      if (
        ps.customerManagedPolicies.some(
          (r) => r.Name === normalised.Name && r.Path === normalised.Path,
        )
      )
        throw new AwsSimError(
          'ConflictException',
          `Customer managed policy ${normalised.Path}${normalised.Name} is already attached to the permission set.`,
        );
      checkPolicyQuota(ps);
      ps.customerManagedPolicies.push(normalised);
      changed(ps);
      return {};
    },

    DetachCustomerManagedPolicyReferenceFromPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const ref = input.CustomerManagedPolicyReference as { Name: string; Path?: string };
      const path = ref.Path ?? '/';
      const i = ps.customerManagedPolicies.findIndex((r) => r.Name === ref.Name && r.Path === path);
      if (i < 0)
        throw new AwsSimError(
          'ResourceNotFoundException',
          `Customer managed policy ${path}${ref.Name} is not attached to the permission set.`,
        );
      ps.customerManagedPolicies.splice(i, 1);
      changed(ps);
      return {};
    },

    ListCustomerManagedPolicyReferencesInPermissionSet: (input) => {
      const ps = getPs(input);
      const { page, next } = paginate(
        runtime,
        ps.customerManagedPolicies,
        `ListCustomerManagedPolicyReferencesInPermissionSet|${ps.arn}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return {
        CustomerManagedPolicyReferences: page.map((r) => ({ ...r })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    PutInlinePolicyToPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const policy = str(input, 'InlinePolicy');
      checkPolicyJson(policy, 'InlinePolicy');
      ps.inlinePolicy = policy;
      changed(ps);
      return {};
    },

    GetInlinePolicyForPermissionSet: (input) => {
      const ps = getPs(input);
      return ps.inlinePolicy !== undefined ? { InlinePolicy: ps.inlinePolicy } : {};
    },

    DeleteInlinePolicyFromPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      if (ps.inlinePolicy !== undefined) {
        delete ps.inlinePolicy;
        changed(ps);
      }
      return {};
    },

    PutPermissionsBoundaryToPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      const boundary = input.PermissionsBoundary as {
        ManagedPolicyArn?: string;
        CustomerManagedPolicyReference?: { Name: string; Path?: string };
      };
      const hasArn = boundary.ManagedPolicyArn !== undefined;
      const hasRef = boundary.CustomerManagedPolicyReference !== undefined;
      if (hasArn === hasRef)
        throw new AwsSimError(
          'ValidationException',
          'Exactly one of ManagedPolicyArn and CustomerManagedPolicyReference must be set in PermissionsBoundary.',
        );
      ps.permissionsBoundary = hasArn
        ? { ManagedPolicyArn: boundary.ManagedPolicyArn! }
        : {
            CustomerManagedPolicyReference: {
              Name: boundary.CustomerManagedPolicyReference!.Name,
              Path: boundary.CustomerManagedPolicyReference!.Path ?? '/',
            },
          };
      changed(ps);
      return {};
    },

    GetPermissionsBoundaryForPermissionSet: (input) => {
      const ps = getPs(input);
      if (!ps.permissionsBoundary)
        throw new AwsSimError(
          'ResourceNotFoundException',
          `No permissions boundary is attached to ${ps.arn}.`,
        );
      return { PermissionsBoundary: structuredClone(ps.permissionsBoundary) };
    },

    DeletePermissionsBoundaryFromPermissionSet: (input, ctx) => {
      const ps = getPs(input);
      beginPsWrite(ps, ctx);
      if (ps.permissionsBoundary) {
        delete ps.permissionsBoundary;
        changed(ps);
      }
      return {};
    },

    CreateAccountAssignment: (input, ctx) => {
      checkInstance(input);
      settle();
      const assignment = assignmentInput(input);
      checkManagementAccountAccess(ctx, [assignment.accountId]);
      const key = assignmentKey(assignment);
      if (sameTupleInProgress(pendingDeletions, key))
        throw new AwsSimError(
          'ConflictException',
          'An operation on this account assignment is already in progress. Please try again.',
        );
      if (pendingCreations.size >= runtime.settings.quotas.outstandingCreateAssignments)
        throw limitError(
          `at most ${runtime.settings.quotas.outstandingCreateAssignments} outstanding CreateAccountAssignment calls`,
        );
      // A duplicate create is not rejected and yields no duplicate (set semantics, ref §6).
      const op: AssignmentOperation = {
        kind: 'create',
        requestId: random.uuid(),
        status: 'IN_PROGRESS',
        assignment,
        createdDate: new Date(runtime.now()),
        dueAt: runtime.now() + runtime.settings.asyncLatencyMs,
        injectedFailure: drawFault(ctx.faults.asyncFailureProbability, `create|${key}`),
      };
      instance.creations.set(op.requestId, op);
      pendingCreations.add(op);
      trim(instance.creations);
      return { AccountAssignmentCreationStatus: assignmentStatus(op) };
    },

    DeleteAccountAssignment: (input, ctx) => {
      checkInstance(input);
      settle();
      const assignment = assignmentInput(input);
      checkManagementAccountAccess(ctx, [assignment.accountId]);
      const key = assignmentKey(assignment);
      // Delete right after create on the same tuple: ConflictException (ref §5.6).
      if (sameTupleInProgress(pendingCreations, key) || sameTupleInProgress(pendingDeletions, key))
        throw new AwsSimError(
          'ConflictException',
          'An operation on this account assignment is already in progress. Please try again.',
        );
      if (
        runtime.settings.behaviour.deleteMissingAssignment === 'sync-not-found' &&
        !instance.assignments.has(key)
      )
        throw new AwsSimError('ResourceNotFoundException', 'Assignment not found.');
      const op: AssignmentOperation = {
        kind: 'delete',
        requestId: random.uuid(),
        status: 'IN_PROGRESS',
        assignment,
        createdDate: new Date(runtime.now()),
        dueAt: runtime.now() + runtime.settings.asyncLatencyMs,
        injectedFailure: drawFault(ctx.faults.asyncFailureProbability, `delete|${key}`),
      };
      instance.deletions.set(op.requestId, op);
      pendingDeletions.add(op);
      trim(instance.deletions);
      return { AccountAssignmentDeletionStatus: assignmentStatus(op) };
    },

    DescribeAccountAssignmentCreationStatus: describeAsyncRequest(
      instance.creations,
      'AccountAssignmentCreationRequestId',
      'AccountAssignmentCreationStatus',
      assignmentStatus,
    ),

    DescribeAccountAssignmentDeletionStatus: describeAsyncRequest(
      instance.deletions,
      'AccountAssignmentDeletionRequestId',
      'AccountAssignmentDeletionStatus',
      assignmentStatus,
    ),

    ListAccountAssignmentCreationStatus: listAsyncRequests(
      instance.creations,
      'ListAccountAssignmentCreationStatus',
      'AccountAssignmentsCreationStatus',
    ),

    ListAccountAssignmentDeletionStatus: listAsyncRequests(
      instance.deletions,
      'ListAccountAssignmentDeletionStatus',
      'AccountAssignmentsDeletionStatus',
    ),

    ListAccountAssignments: (input) => {
      const ps = getPs(input);
      const accountId = str(input, 'AccountId');
      const items = [...instance.assignments.values()]
        .filter((a) => a.accountId === accountId && a.permissionSetArn === ps.arn)
        .map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalType: a.principalType,
          PrincipalId: a.principalId,
        }));
      const { page, next } = paginate(
        runtime,
        items,
        `ListAccountAssignments|${accountId}|${ps.arn}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { AccountAssignments: page, ...(next ? { NextToken: next } : {}) };
    },

    ListAccountAssignmentsForPrincipal: (input) => {
      checkInstance(input);
      const principalId = str(input, 'PrincipalId');
      const principalType = str(input, 'PrincipalType');
      const accountFilter = (input.Filter as { AccountId?: string } | undefined)?.AccountId;
      // Only direct assignments of the principal; group-derived access is UNVERIFIED (ref §8).
      const items = [...instance.assignments.values()]
        .filter(
          (a) =>
            a.principalId === principalId &&
            a.principalType === principalType &&
            (!accountFilter || a.accountId === accountFilter),
        )
        .map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalId: a.principalId,
          PrincipalType: a.principalType,
        }));
      const { page, next } = paginate(
        runtime,
        items,
        `ListAccountAssignmentsForPrincipal|${principalType}|${principalId}|${accountFilter ?? ''}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { AccountAssignments: page, ...(next ? { NextToken: next } : {}) };
    },

    ListAccountsForProvisionedPermissionSet: (input) => {
      const ps = getPs(input);
      const wanted = optStr(input, 'ProvisioningStatus');
      const items = [...instance.provisioned.values()]
        .filter(
          (p) =>
            p.permissionSetArn === ps.arn &&
            matchesStatus(p.provisionedVersion, ps.version, wanted),
        )
        .map((p) => p.accountId);
      const { page, next } = paginate(
        runtime,
        items,
        `ListAccountsForProvisionedPermissionSet|${ps.arn}|${wanted ?? ''}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { AccountIds: page, ...(next ? { NextToken: next } : {}) };
    },

    ListPermissionSetsProvisionedToAccount: (input) => {
      checkInstance(input);
      const accountId = str(input, 'AccountId');
      const wanted = optStr(input, 'ProvisioningStatus');
      const items: string[] = [];
      for (const p of instance.provisioned.values()) {
        if (p.accountId !== accountId) continue;
        const ps = instance.permissionSets.get(p.permissionSetArn);
        if (ps && matchesStatus(p.provisionedVersion, ps.version, wanted)) items.push(ps.arn);
      }
      const { page, next } = paginate(
        runtime,
        items,
        `ListPermissionSetsProvisionedToAccount|${accountId}|${wanted ?? ''}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { PermissionSets: page, ...(next ? { NextToken: next } : {}) };
    },

    TagResource: (input) => {
      const tags = tagsTarget(input);
      const incoming = tagMap(input.Tags);
      const keys = new Set([...tags.keys(), ...incoming.keys()]);
      if (keys.size > 50)
        throw new AwsSimError(
          'ServiceQuotaExceededException',
          'A resource can have at most 50 tags.',
        );
      for (const [k, v] of incoming) tags.set(k, v);
      return {};
    },

    UntagResource: (input) => {
      const tags = tagsTarget(input);
      for (const k of (input.TagKeys as string[] | undefined) ?? []) tags.delete(k);
      return {};
    },

    ListTagsForResource: (input) => {
      const tags = tagsTarget(input);
      const items = [...tags].map(([Key, Value]) => ({ Key, Value }));
      const { page, next } = paginate(
        runtime,
        items,
        `ListTagsForResource|${str(input, 'ResourceArn')}`,
        input.NextToken,
        undefined,
        { defaultSize: 50, maxSize: 50 },
        invalidNextToken,
      );
      return { Tags: page, ...(next ? { NextToken: next } : {}) };
    },
  };

  return { handlers, settle, provisionNow, deprovisionIfUnused };
}

function matchesStatus(provisioned: number, current: number, wanted: string | undefined): boolean {
  if (wanted === undefined) return true;
  const status =
    provisioned >= current
      ? 'LATEST_PERMISSION_SET_PROVISIONED'
      : 'LATEST_PERMISSION_SET_NOT_PROVISIONED';
  return status === wanted;
}

function tagMap(tags: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(tags)) return map;
  for (const t of tags as { Key?: unknown; Value?: unknown }[])
    if (typeof t.Key === 'string') map.set(t.Key, typeof t.Value === 'string' ? t.Value : '');
  return map;
}

/** `PT4H` → 14400; AWS's role MaxSessionDuration is clamped to 3600..43200 s. */
export function durationSeconds(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return 3600;
  const seconds =
    Number(m[1] ?? 0) * 86400 +
    Number(m[2] ?? 0) * 3600 +
    Number(m[3] ?? 0) * 60 +
    Number(m[4] ?? 0);
  return Math.min(43200, Math.max(3600, seconds));
}
