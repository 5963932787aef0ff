/**
 * The world of the IAM policy proofs: the entitlements world (test/e2e/entitlements-world.ts)
 * plus owned permission sets whose plan needs every Identity Center write the sync feature
 * lists, and one runner per feature of the IAM table that drives the feature's real code in
 * process and reports what the simulator denied.
 */
import { pino } from 'pino';
import { applyPlan } from '../../src/app/apply/apply-plan.js';
import { runDiscovery } from '../../src/app/discovery/discovery-service.js';
import { entitlementServiceFrom } from '../../src/app/entitlements/entitlements-from-adapters.js';
import { planFromCurrentState } from '../../src/app/plan/plan-service.js';
import { createKeyReconciler } from '../../src/app/sync/key-reconciler.js';
import { SyncService } from '../../src/app/sync/sync-service.js';
import { FULL_RECONCILE_KEY, groupKey, userKey } from '../../src/core/events/reconcile-key.js';
import type { InstanceArn } from '../../src/core/domain/ids.js';
import type { IamFeature } from '../../src/core/iam-policy/iam-policy-table.js';
import type { IamPolicyOptions } from '../../src/core/iam-policy/generate-iam-policy.js';
import type { AwsScenario } from '../../src/sim/aws/index.js';
import {
  DEV,
  MANAGEMENT,
  PROD,
  startEntitlementsWorld,
  type EntitlementsWorld,
} from './entitlements-world.js';

export const INSTANCE_ID = 'ssoins-0123456789abcdef';
export const IDENTITY_STORE_ID = 'd-1234567890';

/** Generator options that scope a policy to this world's instance, store and account. */
export const WORLD_SCOPE: IamPolicyOptions = {
  instanceArn: `arn:aws:sso:::instance/${INSTANCE_ID}`,
  identityStoreId: IDENTITY_STORE_ID,
  managementAccountId: MANAGEMENT,
};

const OWNED = { 'managed-by': 'okta-aws-sync' };
const VIEW_ONLY = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';
const DENY_IAM = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
};

/**
 * Owned permission sets in AWS: `Drifted` differs from its template in every field (so updating
 * it needs UpdatePermissionSet, attach and detach of managed and customer-managed policies,
 * DeleteInlinePolicy…, DeletePermissionsBoundary…, TagResource and UntagResource, then a
 * re-provision), `Retired` is no longer wanted (its assignment is deleted, then the set). The
 * user `gone` came from Okta (ExternalId) whose user no longer exists, so its assignments go.
 */
function withOwnedPermissionSets(scenario: AwsScenario): AwsScenario {
  return {
    ...scenario,
    instanceId: INSTANCE_ID,
    identityStoreId: IDENTITY_STORE_ID,
    // IAM users and groups, so that discovery reads their groups and attached policies too.
    iam: {
      ...scenario.iam,
      [MANAGEMENT]: {
        ...scenario.iam?.[MANAGEMENT],
        users: [{ name: 'ci-bot', groups: ['deployers'], managedPolicies: [READ_ONLY] }],
        groups: [{ name: 'deployers', managedPolicies: [POWER_USER] }],
      },
    },
    users: [
      ...(scenario.users ?? []),
      {
        userName: 'gone@example.com',
        givenName: 'Gone',
        familyName: 'Away',
        externalId: '00ugone0000000000001',
      },
    ],
    permissionSets: [
      ...(scenario.permissionSets ?? []),
      {
        name: 'Drifted',
        description: 'old description',
        managedPolicies: [READ_ONLY],
        customerManagedPolicies: [{ name: 'old-cmp' }],
        inlinePolicy: DENY_IAM,
        permissionsBoundary: { managedPolicyArn: POWER_USER },
        tags: { ...OWNED, team: 'old', stale: 'yes' },
      },
      { name: 'Retired', managedPolicies: [READ_ONLY], tags: OWNED },
    ],
    assignments: [
      ...(scenario.assignments ?? []),
      {
        accountId: DEV,
        permissionSet: 'Drifted',
        principalType: 'USER',
        principal: 'gone@example.com',
      },
      {
        accountId: PROD,
        permissionSet: 'Retired',
        principalType: 'USER',
        principal: 'gone@example.com',
      },
    ],
  };
}

/** Templates and rules: `Fresh` is created with an inline policy and a boundary. */
const SYNC_CONFIG = `permissionSets:
  Drifted:
    description: new description
    sessionDuration: PT2H
    managedPolicies: [${VIEW_ONLY}]
    customerManagedPolicies: [{ name: new-cmp }]
    tags: { team: new }
  Fresh:
    description: Fresh
    managedPolicies: [${READ_ONLY}]
    inlinePolicy: ${JSON.stringify(DENY_IAM)}
    permissionsBoundary: { managedPolicyArn: ${POWER_USER} }
rules:
  - name: fresh
    groups: { names: [eng] }
    permissionSet: Fresh
    accounts: ['${DEV}']
    assign: USER
  - name: drifted
    groups: { names: [eng] }
    permissionSet: Drifted
    accounts: ['${DEV}']
    assign: GROUP
`;

/** Assignments the sync feature converges to (`account|set|TYPE|principal`). */
export const SYNCED_ASSIGNMENTS = [
  `${DEV}|Developer|USER|breakglass`,
  `${DEV}|Drifted|GROUP|eng`,
  `${DEV}|Fresh|USER|alice@example.com`,
];

/** Starts the world; every AWS call of the features then runs under `policy`. */
export async function startPolicyWorld(policy: unknown): Promise<EntitlementsWorld> {
  return startEntitlementsWorld({
    policy,
    extraConfig: SYNC_CONFIG,
    extendAwsScenario: withOwnedPermissionSets,
  });
}

/** How one feature's run went. */
export interface FeatureOutcome {
  /** Why the run failed (error messages, failed items' reasons); undefined when it succeeded. */
  readonly failure?: string;
  /** A denial the feature tolerates by design, and what it cost (e.g. accounts not inspected). */
  readonly degraded?: string;
  /** IAM actions the simulator denied during the run (`sso:…`, `iam:…`), sorted, distinct. */
  readonly denied: readonly string[];
  /** Every AWS operation called during the run, as the IAM action it needs, sorted, distinct. */
  readonly called: readonly string[];
}

const poll = { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 };
const retry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 };

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Discovery of both sides through the real discovery service, stored as a snapshot; then the
 * AWS side again with the `principal` assignment strategy (its one extra operation).
 */
async function discover(
  env: EntitlementsWorld,
): Promise<Omit<FeatureOutcome, 'denied' | 'called'>> {
  const deps = {
    aws: env.adapters.awsReaders,
    okta: env.adapters.okta.reader,
    callStats: () => env.adapters.counters.snapshot(),
    instanceArn: env.world.aws.instanceArn as InstanceArn,
  };
  try {
    const { inventory } = await runDiscovery(
      { ...deps, store: env.world.store, inspectIam: true },
      { source: 'all' },
    );
    await runDiscovery(
      { ...deps, inspectIam: false, assignmentStrategy: 'principal' },
      { source: 'aws' },
    );
    const notInspected = inventory.notInspected.map((n) => `${n.id}: ${n.reason}`);
    return notInspected.length > 0 ? { degraded: notInspected.join('\n') } : {};
  } catch (error) {
    return { failure: message(error) };
  }
}

/** Plan from fresh state and apply it, as `sync` does: the plan service and the executor. */
async function sync(env: EntitlementsWorld): Promise<Omit<FeatureOutcome, 'denied' | 'called'>> {
  try {
    const fresh = await planFromCurrentState(env.loaded.policy, {
      identityCenter: env.adapters.awsReaders.identityCenter,
      organizations: env.adapters.awsReaders.organizations,
      okta: env.adapters.okta.reader,
      store: env.world.store,
    });
    const result = await applyPlan(
      fresh.plan,
      { writer: env.adapters.identityCenterWriter, store: env.world.store },
      { actor: 'test:policy', trigger: 'test', retry: { ...retry, maxAttempts: 3 }, poll },
    );
    if (result.status === 'succeeded') return {};
    return {
      failure: result.outcomes
        .filter((o) => o.status === 'Error')
        .map((o) => `${o.description}: ${o.cause}`)
        .join('\n'),
    };
  } catch (error) {
    return { failure: message(error) };
  }
}

/**
 * `serve`: the service's start-up (its AWS identity check, SyncService.start with the queue's
 * reconciler idle), then the reconciles its workers run, through the same reconciler: the full
 * key (planner and executor: the sync feature's operations) and a user and a group key (the
 * per-key read path).
 */
async function serve(env: EntitlementsWorld): Promise<Omit<FeatureOutcome, 'denied' | 'called'>> {
  const logger = pino({ level: 'silent' });
  const service = new SyncService({
    adapters: env.adapters,
    store: env.world.store,
    logger,
    reconcile: () => Promise.resolve({ status: 'done' }),
    fullIntervalMs: 3_600_000,
  });
  try {
    await service.start();
  } catch (error) {
    return { failure: message(error) };
  } finally {
    await service.stop(1_000);
  }
  const reconcile = createKeyReconciler({
    policy: env.loaded.policy,
    plan: {
      identityCenter: env.adapters.awsReaders.identityCenter,
      organizations: env.adapters.awsReaders.organizations,
      okta: env.adapters.okta.reader,
      store: env.world.store,
    },
    writer: env.adapters.identityCenterWriter,
    store: env.world.store,
    ...(env.adapters.instanceArn ? { instanceArn: env.adapters.instanceArn } : {}),
    retry: { ...retry, maxAttempts: 3 },
    poll,
    enqueue: () => Promise.resolve(),
    oktaPrincipals: env.adapters.okta.reader,
  });
  const okta = env.world.okta.control.state();
  const alice = okta.users.find((u) => u.login === 'alice@example.com')?.id;
  const eng = okta.groups.find((g) => g.name === 'eng')?.id;
  const context = {
    correlationId: 'policy-test',
    attempts: 1,
    logger,
    signal: new AbortController().signal,
  };
  const failures: string[] = [];
  // The user key as a retry (attempt 2): a first attempt right after the full read reuses the
  // links it made, and only a retry, a user linked since or a link older than 30 s looks the
  // user up (GetUserId, DescribeUser), which serve's policy must allow all the same.
  const keys = [
    { key: FULL_RECONCILE_KEY, attempts: 1 },
    { key: userKey(String(alice)), attempts: 2 },
    { key: groupKey(String(eng)), attempts: 1 },
  ];
  for (const { key, attempts } of keys) {
    try {
      const outcome = await reconcile(key, { ...context, attempts });
      if (outcome.status !== 'done') failures.push(`${key}: ${outcome.reason}`);
    } catch (error) {
      failures.push(`${key}: ${message(error)}`);
    }
  }
  return failures.length > 0 ? { failure: failures.join('\n') } : {};
}

/** Runs every entitlement action once: adds and removes, by every kind of principal id. */
async function entitlements(
  env: EntitlementsWorld,
): Promise<Omit<FeatureOutcome, 'denied' | 'called'>> {
  const service = entitlementServiceFrom(env.adapters, { actor: 'test:policy', poll, retry });
  const failures: string[] = [];
  const run = async (step: () => Promise<unknown>): Promise<void> => {
    try {
      const result = (await step()) as
        { items?: readonly { status: string; reason?: string }[] } | undefined;
      for (const item of result?.items ?? [])
        if (item.reason && !['succeeded', 'unchanged'].includes(item.status))
          failures.push(item.reason);
    } catch (error) {
      failures.push(message(error));
    }
  };
  const alice = { principalType: 'USER' as const, principalId: 'alice@example.com' };
  await run(() => service.listInstances());
  await run(() =>
    service.addEntitlements({ ...alice, accountId: DEV, permissionSets: ['ReadOnly'] }),
  );
  await run(() => service.listEntitlements({ principalType: 'GROUP', principalId: 'eng' }));
  await run(() =>
    service.removeEntitlements({ ...alice, accountId: DEV, permissionSets: ['ReadOnly'] }),
  );
  await run(() =>
    service.addEntitlements({ ...alice, accountId: DEV, permissionSets: ['Developer'] }),
  );
  await run(() => service.removeAllEntitlements({ ...alice, accountId: DEV }));
  const bob = env.world.okta.control.state().users.find((u) => u.login === 'bob@example.com');
  await run(() =>
    service.listEntitlements({ principalType: 'USER', principalId: String(bob?.id) }),
  );
  const state = env.world.aws.control.dumpState();
  const aliceId = state.identityStore.users.find((u) => u.UserName === 'alice@example.com')?.UserId;
  const engId = state.identityStore.groups.find((g) => g.DisplayName === 'eng')?.GroupId;
  await run(() =>
    service.listEntitlements({ principalType: 'USER', principalId: String(aliceId) }),
  );
  await run(() => service.listEntitlements({ principalType: 'GROUP', principalId: String(engId) }));
  return failures.length > 0 ? { failure: failures.join('\n') } : {};
}

const RUNNERS: Readonly<
  Record<IamFeature, (env: EntitlementsWorld) => Promise<Omit<FeatureOutcome, 'denied' | 'called'>>>
> = { discovery: discover, serve, entitlements, sync };

/**
 * Runs the features in an order that keeps each one's starting state the same whatever the
 * others did: the read-only one, then entitlements (which removes what it adds), then sync, then
 * serve (whose full reconcile would otherwise do sync's work first).
 */
export const FEATURE_ORDER: readonly IamFeature[] = ['discovery', 'entitlements', 'sync', 'serve'];

/**
 * The rows a feature's run needs: its own, and for serve sync's too (its reconciles plan and
 * apply; the table lists only what serve adds).
 */
export const RUN_NEEDS: Readonly<Record<IamFeature, readonly IamFeature[]>> = {
  discovery: ['discovery'],
  sync: ['sync'],
  serve: ['serve', 'sync'],
  entitlements: ['entitlements'],
};

/**
 * Waits until the simulator has seen no call for a moment: a run that failed early can leave
 * concurrent reads in flight, which must be counted for it, not for the next feature.
 */
async function settled(env: EntitlementsWorld): Promise<void> {
  for (;;) {
    const before = env.world.aws.control.calls().total;
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (env.world.aws.control.calls().total === before) return;
  }
}

/** Runs one feature and reports its outcome with the AWS calls it made meanwhile. */
export async function runFeature(
  env: EntitlementsWorld,
  feature: IamFeature,
): Promise<FeatureOutcome> {
  // The tool's own role session is cached by the adapters; get it before counting, so that the
  // AssumeRole made with the deployment's base credentials is not taken for the feature's call.
  await env.adapters.aws.sts.config.credentials();
  env.world.aws.control.resetCalls();
  const outcome = await RUNNERS[feature](env);
  if (outcome.failure !== undefined || outcome.degraded !== undefined) await settled(env);
  const calls = env.world.aws.control.calls();
  const action = (service: string, operation: string): string =>
    `${service === 'sso-admin' ? 'sso' : service}:${operation}`;
  const denied = calls.entries
    .filter((c) => c.errorCode?.startsWith('AccessDenied'))
    .map((c) => action(c.service, c.operation));
  const called = Object.keys(calls.counts).map((key) => {
    const [service = '', operation = ''] = key.split(':');
    return action(service, operation);
  });
  return {
    ...outcome,
    denied: [...new Set(denied)].sort(),
    called: [...new Set(called)].sort(),
  };
}
