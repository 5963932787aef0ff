/**
 * The one Lambda handler (PRODUCT.md §3). `event = { action, input, failOnError?, assumeRoleArn? }`
 * returns `{ ok: true, data }` or `{ ok: false, error: { code, message, retryable } }`; with
 * `failOnError: true` a failure throws instead (Lambda then marks the invocation failed).
 * Credentials come from the execution role, optionally assuming `assumeRoleArn` (event, else
 * config). Credentials anywhere in the payload are refused before anything else happens.
 * Config: `OKTA_AWS_SYNC_CONFIG`, a path or inline JSON.
 *
 * Stateless actions (no durable store needed): ListInstances, ListEntitlements,
 * AddEntitlements, RemoveEntitlements, RemoveAllEntitlements, Plan. Their audit entries go to the
 * store when it is PostgreSQL, else to the function log. Stateful (store must be a PostgreSQL
 * URL, since a Lambda's disk is not durable): Discover, Apply, Reconcile, ProcessOktaEvents.
 */
import { z } from 'zod';
import { entitlementServiceFrom } from '../app/entitlements/entitlements-from-adapters.js';
import { applyPlan } from '../app/apply/apply-plan.js';
import { runDiscovery } from '../app/discovery/discovery-service.js';
import { planFromCurrentState, rememberMatchedGroups } from '../app/plan/plan-service.js';
import { ingestEvents } from '../app/sync/event-intake.js';
import { buildAdapters, discoveryDependencies, type Adapters } from '../app/wiring.js';
import { PrincipalTypes } from '../core/domain/identity-center.js';
import { RoleArn } from '../core/domain/ids.js';
import { ConfigError, OperationalError, SafetyRefusal, UsageError } from '../core/errors.js';
import { hookDeliverySchema, logEventSchema } from '../core/events/okta-event-schema.js';
import { checkGuards } from '../core/plan/check-guards.js';
import { loadConfigFrom } from '../config/load-config.js';
import type { NewAuditEntry } from '../ports/store.js';

export const LambdaActions = [
  'ListInstances',
  'ListEntitlements',
  'AddEntitlements',
  'RemoveEntitlements',
  'RemoveAllEntitlements',
  'Discover',
  'Plan',
  'Apply',
  'Reconcile',
  'ProcessOktaEvents',
] as const;
export type LambdaAction = (typeof LambdaActions)[number];

/** Actions that need a durable store (a PostgreSQL URL in config). */
export const STATEFUL_ACTIONS: readonly LambdaAction[] = [
  'Discover',
  'Apply',
  'Reconcile',
  'ProcessOktaEvents',
];

const principal = {
  principalType: z.enum(PrincipalTypes),
  principalId: z.string().min(1),
};
const change = z.strictObject({
  ...principal,
  accountId: z.string().regex(/^\d{12}$/, 'twelve digits'),
  permissionSets: z.array(z.string().min(1)).min(1),
});
const accountFilter = z
  .string()
  .regex(/^\d{12}$/, 'twelve digits')
  .optional();
const common = {
  failOnError: z.boolean().optional(),
  assumeRoleArn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN')
    .optional(),
};

/** The event, validated per action. */
export const lambdaEventSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('ListInstances'),
    input: z.strictObject({}).optional(),
    ...common,
  }),
  z.strictObject({
    action: z.literal('ListEntitlements'),
    input: z.strictObject({ ...principal, accountId: accountFilter }),
    ...common,
  }),
  z.strictObject({ action: z.literal('AddEntitlements'), input: change, ...common }),
  z.strictObject({ action: z.literal('RemoveEntitlements'), input: change, ...common }),
  z.strictObject({
    action: z.literal('RemoveAllEntitlements'),
    input: z.strictObject({ ...principal, accountId: accountFilter }),
    ...common,
  }),
  z.strictObject({
    action: z.literal('Discover'),
    input: z.strictObject({ source: z.enum(['aws', 'okta', 'all']).optional() }).optional(),
    ...common,
  }),
  z.strictObject({ action: z.literal('Plan'), input: z.strictObject({}).optional(), ...common }),
  z.strictObject({
    action: z.literal('Apply'),
    input: z.strictObject({ allowDeletes: z.number().int().nonnegative().optional() }).optional(),
    ...common,
  }),
  z.strictObject({
    action: z.literal('Reconcile'),
    input: z.strictObject({}).optional(),
    ...common,
  }),
  z.strictObject({
    action: z.literal('ProcessOktaEvents'),
    input: z.union([hookDeliverySchema, z.strictObject({ events: z.array(logEventSchema) })]),
    ...common,
  }),
]);
export type LambdaEvent = z.output<typeof lambdaEventSchema>;

export interface LambdaError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}
export type LambdaResponse =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly error: LambdaError };

/** Thrown with `failOnError`: `name` is the error code, so Lambda reports it as errorType. */
export class LambdaActionError extends Error {
  constructor(readonly error: LambdaError) {
    super(error.message);
    this.name = error.code;
  }
}

const CREDENTIAL_KEYS = new Set([
  'accesskeyid',
  'accesskey',
  'secretaccesskey',
  'secretkey',
  'sessiontoken',
  'securitytoken',
  'awsaccesskeyid',
  'awssecretaccesskey',
  'awssessiontoken',
  'awssecuritytoken',
]);
const ACCESS_KEY_VALUE = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;

/**
 * Paths in the payload that carry credentials: keys named like AWS credentials (any case and
 * separator) and string values shaped like access key ids. Values are never echoed.
 */
export function findCredentials(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') return ACCESS_KEY_VALUE.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findCredentials(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const here = `${path}.${key}`;
    return CREDENTIAL_KEYS.has(key.toLowerCase().replace(/[^a-z]/g, ''))
      ? [here]
      : findCredentials(v, here);
  });
}

/** What the handler needs from its surroundings; tests inject the environment. */
export interface HandlerEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where audit entries go when there is no PostgreSQL store. Default console.log JSON. */
  readonly log?: (line: string) => void;
}

/**
 * Adapters kept across warm invocations, per environment (the config's `${env:…}` references,
 * e.g. the store URL, resolve from it, so the same config text under another environment is
 * another set of adapters), then by config and role.
 */
const warmByEnvironment = new Map<HandlerEnvironment['env'], Map<string, Promise<Adapters>>>();

function adaptersFor(
  source: string,
  roleArn: string | undefined,
  env: HandlerEnvironment['env'],
): Promise<Adapters> {
  const warm = warmByEnvironment.get(env) ?? new Map<string, Promise<Adapters>>();
  warmByEnvironment.set(env, warm);
  const key = `${roleArn ?? ''}\n${source}`;
  let adapters = warm.get(key);
  if (!adapters) {
    adapters = loadConfigFrom(source, { env }).then((loaded) =>
      buildAdapters(
        roleArn
          ? {
              ...loaded,
              config: {
                ...loaded.config,
                aws: { ...loaded.config.aws, assumeRoleArn: RoleArn.parse(roleArn) },
              },
            }
          : loaded,
        { env },
      ),
    );
    adapters.catch(() => warm.delete(key));
    warm.set(key, adapters);
  }
  return adapters;
}

/** Closes the adapters of warm invocations (tests; Lambda simply freezes the process). */
export async function closeWarmAdapters(): Promise<void> {
  const all = [...warmByEnvironment.values()].flatMap((warm) => [...warm.values()]);
  warmByEnvironment.clear();
  for (const adapters of all) await (await adapters.catch(() => undefined))?.close();
}

/** Creates a handler bound to an environment (the exported `handler` uses process.env). */
export function createHandler(
  environment: HandlerEnvironment,
): (event: unknown) => Promise<LambdaResponse> {
  return async (event) => {
    const failOnError =
      typeof event === 'object' &&
      event !== null &&
      (event as { failOnError?: unknown }).failOnError === true;
    const response = await respond(event, environment);
    if (!response.ok && failOnError) throw new LambdaActionError(response.error);
    return response;
  };
}

/** The Lambda entry point. */
export const handler = createHandler({ env: process.env });

async function respond(event: unknown, environment: HandlerEnvironment): Promise<LambdaResponse> {
  try {
    const leaked = findCredentials(event);
    if (leaked.length > 0)
      return failure(
        'CREDENTIALS_IN_PAYLOAD',
        `The payload carries AWS credentials at ${leaked.join(', ')}. Remove them: the function uses its execution role (optionally assuming assumeRoleArn), never keys sent in the event.`,
        false,
      );
    const parsed = lambdaEventSchema.safeParse(event);
    if (!parsed.success)
      return failure(
        'VALIDATION_ERROR',
        parsed.error.issues
          .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(event)'}: ${i.message}`)
          .join('; '),
        false,
      );
    const source = environment.env.OKTA_AWS_SYNC_CONFIG;
    if (!source)
      return failure(
        'CONFIG_ERROR',
        'OKTA_AWS_SYNC_CONFIG is not set (a config path or inline JSON)',
        false,
      );
    const adapters = await adaptersFor(source, parsed.data.assumeRoleArn, environment.env);
    return { ok: true, data: await dispatch(parsed.data, adapters, environment) };
  } catch (error) {
    return toFailure(error);
  }
}

function failure(code: string, message: string, retryable: boolean): LambdaResponse {
  return { ok: false, error: { code, message, retryable } };
}

/** The error classes of core/errors.ts, mapped to the envelope in this one place. */
function toFailure(error: unknown): LambdaResponse {
  if (error instanceof ActionFailed) return failure(error.code, error.message, error.retryable);
  if (error instanceof OperationalError) return failure(error.code, error.message, error.retryable);
  if (error instanceof SafetyRefusal) return failure('REFUSED', error.message, false);
  if (error instanceof ConfigError)
    return failure('CONFIG_ERROR', [error.message, ...error.problems].join('; '), false);
  if (error instanceof UsageError) return failure('USAGE_ERROR', error.message, false);
  return failure('INTERNAL_ERROR', error instanceof Error ? error.message : String(error), false);
}

/** An action that ran but did not fully succeed (an item failed, an apply had errors). */
class ActionFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function isPostgres(adapters: Adapters): boolean {
  return /^postgres(ql)?:/.test(adapters.loaded.config.store);
}

async function dispatch(
  event: LambdaEvent,
  adapters: Adapters,
  environment: HandlerEnvironment,
): Promise<unknown> {
  if (
    STATEFUL_ACTIONS.includes(event.action) &&
    !isPostgres(adapters) &&
    environment.env.OKTA_AWS_SYNC_ALLOW_EPHEMERAL_STORE !== '1'
  )
    throw new UsageError(
      `${event.action} needs a durable store: set store to a PostgreSQL URL (a Lambda's disk does not survive)`,
    );
  const log = environment.log ?? ((line: string) => console.log(line));
  const audit = isPostgres(adapters)
    ? undefined
    : (entry: NewAuditEntry) => {
        log(JSON.stringify({ audit: entry }));
        return Promise.resolve();
      };
  const entitlements = () =>
    entitlementServiceFrom(adapters, { actor: 'lambda', ...(audit ? { audit } : {}) });
  switch (event.action) {
    case 'ListInstances':
      return { instances: await entitlements().listInstances() };
    case 'ListEntitlements': {
      const { principal: p, entitlements: list } = await entitlements().listEntitlements(
        event.input,
      );
      return { principal: p, entitlements: list };
    }
    case 'AddEntitlements':
      return changed(await entitlements().addEntitlements(event.input));
    case 'RemoveEntitlements':
      return changed(await entitlements().removeEntitlements(event.input));
    case 'RemoveAllEntitlements':
      return changed(await entitlements().removeAllEntitlements(event.input));
    case 'Discover': {
      const { inventory, snapshot } = await runDiscovery(await discoveryDependencies(adapters), {
        source: event.input?.source ?? 'all',
      });
      return { snapshotId: snapshot?.id ?? null, inventory };
    }
    case 'Plan': {
      const fresh = await plan(adapters, isPostgres(adapters));
      return { plan: fresh.plan };
    }
    case 'Apply':
      return reconcile(adapters, 'lambda:apply', event.input?.allowDeletes);
    case 'Reconcile':
      return reconcile(adapters, 'lambda:reconcile', undefined);
    case 'ProcessOktaEvents': {
      const events = 'data' in event.input ? event.input.data.events : event.input.events;
      const intake = await ingestEvents(await adapters.store(), events, 'hook');
      // Events only mark keys dirty; with no worker pool here, one full reconcile covers them.
      const result =
        intake.keys.length > 0 ? await reconcile(adapters, 'lambda:events', undefined) : null;
      return { events: intake.events, keys: intake.keys, reconcile: result };
    }
  }
}

function plan(adapters: Adapters, withStore: boolean): ReturnType<typeof planFromCurrentState> {
  return (async () =>
    planFromCurrentState(
      adapters.loaded.policy,
      {
        identityCenter: adapters.awsReaders.identityCenter,
        organizations: adapters.awsReaders.organizations,
        okta: adapters.okta.reader,
        ...(withStore ? { store: await adapters.store() } : {}),
      },
      adapters.instanceArn ? { instanceArn: adapters.instanceArn } : {},
    ))();
}

async function reconcile(
  adapters: Adapters,
  trigger: string,
  allowDeletes: number | undefined,
): Promise<unknown> {
  const fresh = await plan(adapters, true);
  checkGuards(fresh.plan, allowDeletes === undefined ? {} : { allowDeletes });
  const store = await adapters.store();
  const result = await applyPlan(
    fresh.plan,
    { writer: adapters.identityCenterWriter, store },
    { actor: 'lambda', trigger },
  );
  await rememberMatchedGroups(store, fresh.okta, fresh.desired);
  const failed = result.outcomes.filter((o) => o.status === 'Error');
  if (failed.length > 0)
    throw new ActionFailed(
      'APPLY_FAILED',
      `${failed.length} operation(s) failed: ${failed
        .slice(0, 5)
        .map((o) => `${o.description}: ${o.cause ?? 'failed'}`)
        .join('; ')}`,
      true,
    );
  return {
    runId: result.runId,
    status: result.status,
    counts: result.counts,
    outcomes: result.outcomes,
  };
}

/** A change whose items did not all succeed is a failure envelope naming each failed item. */
function changed(
  result: Awaited<ReturnType<ReturnType<typeof entitlementServiceFrom>['addEntitlements']>>,
): unknown {
  if (result.succeeded) return result;
  const bad = result.items.filter(
    (i) => i.status === 'failed' || i.status === 'timed-out' || i.status === 'refused',
  );
  const first = bad[0];
  throw new ActionFailed(
    first?.status === 'refused' ? 'REFUSED' : (first?.code ?? 'FAILED'),
    bad
      .map(
        (i) =>
          `${i.accountId} ${i.permissionSetName}: ${i.status}${i.reason ? ` (${i.reason})` : ''}`,
      )
      .join('; '),
    bad.every((i) => i.retryable === true),
  );
}
