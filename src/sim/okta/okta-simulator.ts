import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKey } from 'node:crypto';
import { EventHookService } from './event-hooks.js';
import type { HookDeliveryFaults, HookDeliveryRecord } from './event-hooks.js';
import { notFound, OktaApiError, validationFailed } from './okta-api-error.js';
import type { OktaErrorBody } from './okta-api-error.js';
import { groupTarget, OktaDirectory, oktaGroupTypes } from './okta-directory.js';
import type { DirectoryChange, SimGroup, SimUser } from './okta-directory.js';
import { makeOktaIdGenerator, seededRandom } from './okta-ids.js';
import { OAuthServer } from './okta-oauth.js';
import type { AccessToken, OAuthServiceApp } from './okta-oauth.js';
import { loadOktaScenario, oktaAdminActionSchema, oktaStoryStepSchema } from './okta-scenario.js';
import type {
  OktaAdminAction,
  OktaScenario,
  OktaStoryStep,
  ResolvedOktaScenario,
} from './okta-scenario.js';
import { RateLimiter } from './rate-limiter.js';
import type { RateLimitBucket, RateLimitSettings } from './rate-limiter.js';
import { ScimPush } from './scim-push.js';
import type { ScimPushOptions, ScimPushRecord } from './scim-push.js';
import {
  getPath,
  matchesScimFilter,
  parseScimFilter,
  scimComparisons,
  ScimFilterSyntaxError,
} from './scim-filter.js';
import type { ScimFilter, ScimOperator } from './scim-filter.js';
import { buildLogEvent, SystemLog } from './system-log.js';
import type { AuditContext, IngestionDelay, LogEvent } from './system-log.js';

export type { HookDeliveryFaults, HookDeliveryRecord } from './event-hooks.js';
export type { OAuthServiceApp } from './okta-oauth.js';
export type { RateLimitSettings } from './rate-limiter.js';
export type { ScimPushOptions, ScimPushRecord } from './scim-push.js';
export type { OktaAdminAction, OktaScenario, OktaStoryStep } from './okta-scenario.js';
export type { LogEvent, IngestionDelay } from './system-log.js';

/** Options of `startOktaSimulator`; every field is optional. */
export interface OktaSimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** The SSWS API token; default env OKTA_API_TOKEN, else `sim-okta-token`. */
  token?: string;
  /** Seed organisation (object or file path). Seeding writes no System Log events. */
  scenario?: OktaScenario | string;
  /** Seed for ids and fault draws; default 1. */
  seed?: number;
  /** Delay before an event is persisted (visible to System Log polling); default 0. */
  logIngestionDelayMs?: IngestionDelay;
  /** Hook delivery faults and timings (also settable from the scenario and at run time). */
  hookDelivery?: HookDeliveryFaults;
  rateLimits?: RateLimitSettings;
  /** Emulated SCIM push of the "AWS IAM Identity Center" app into the AWS simulator. */
  scim?: ScimPushOptions;
  /** OAuth access-token lifetime in seconds; default 3600 as in Okta. */
  oauthTokenTtlSeconds?: number;
}

/** Counts of API calls per `METHOD /path/template` and status. */
export interface CallLogSummary {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
}

/** Snapshot of the simulated org for tests and the demo. */
export interface OktaSimulatorState {
  users: (Pick<SimUser, 'id' | 'status' | 'appAssigned'> & { login: string; groupIds: string[] })[];
  groups: (Pick<SimGroup, 'id' | 'type' | 'pushed'> & { name: string; memberIds: string[] })[];
  hooks: Record<string, unknown>[];
  logEventCount: number;
  deliveries: number;
  scim?: { userIds: Record<string, string>; groupIds: Record<string, string>; failures: number };
}

export interface StoryResult {
  steps: number;
  results: unknown[];
}

/** In-process control; the same operations are served over HTTP under `/_sim/`. */
export interface OktaSimulatorControl {
  /** Performs an Admin Console action: audited, hooked and pushed like the API call. */
  admin(action: OktaAdminAction): unknown;
  setHookFaults(faults: HookDeliveryFaults): void;
  hookFaults(): HookDeliveryFaults;
  setRateLimits(settings: RateLimitSettings): void;
  rateLimits(): RateLimitSettings;
  setLogIngestionDelay(delay: IngestionDelay): void;
  setScimLag(ms: number): void;
  /** Registers an OAuth service app (client id, public JWK(s), granted scopes). */
  registerServiceApp(app: OAuthServiceApp): void;
  state(): OktaSimulatorState;
  calls(): CallLogSummary;
  resetCalls(): void;
  deliveries(): readonly HookDeliveryRecord[];
  scimRecords(): readonly ScimPushRecord[];
  /** Every persisted LogEvent, in persistence order. */
  logEvents(): readonly LogEvent[];
  /** Runs timed admin actions in order; resolves when the last one is done. */
  runStory(steps: OktaStoryStep[]): Promise<StoryResult>;
  /** Persists delayed log events and waits for hook deliveries and SCIM pushes to finish. */
  settle(): Promise<void>;
  /** Closes every open hook batch now instead of after the batch window (deliveries stay async). */
  flushHookBatches(): void;
}

export interface OktaSimulator {
  /** `http://host:port`, the value for the SDK's `orgUrl`. */
  orgUrl: string;
  port: number;
  token: string;
  control: OktaSimulatorControl;
  close(): Promise<void>;
}

interface Caller {
  kind: 'ssws' | 'oauth';
  token?: AccessToken;
}

interface RequestInfo {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: unknown;
  caller: Caller;
  ctx: AuditContext;
}

interface HandlerResult {
  status: number;
  body?: unknown;
  /** Query strings (without `?`) for `self`/`next` links on the request path. */
  self?: string;
  next?: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  template: string;
  bucket: RateLimitBucket;
  /** Any of these scopes grants access for OAuth callers. */
  scopes: readonly string[];
  handler: (req: RequestInfo) => HandlerResult | Promise<HandlerResult>;
}

const adminActor = {
  id: '00usimAdmin000000001',
  type: 'User',
  alternateId: 'admin@example.com',
  displayName: 'Simulator Admin',
};

const USERS_READ = ['okta.users.read', 'okta.users.manage'] as const;
const USERS_MANAGE = ['okta.users.manage'] as const;
const GROUPS_READ = ['okta.groups.read', 'okta.groups.manage'] as const;
const GROUPS_MANAGE = ['okta.groups.manage'] as const;
const HOOKS_READ = ['okta.eventHooks.read', 'okta.eventHooks.manage'] as const;
const HOOKS_MANAGE = ['okta.eventHooks.manage'] as const;

const MAX_BODY_BYTES = 1_000_000;

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function requestId(): string {
  return randomBytes(20).toString('base64url').slice(0, 27);
}

function parseLimit(raw: string | undefined, dflt: number, max: number): number {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw validationFailed('limit', `limit: '${raw}' is not a valid positive integer`);
  }
  return Math.min(n, max);
}

function parseExpression(
  raw: string,
  allowed: (attr: string, op: ScimOperator) => boolean,
): ScimFilter {
  let f: ScimFilter;
  try {
    f = parseScimFilter(raw);
  } catch (e) {
    if (e instanceof ScimFilterSyntaxError)
      throw new OktaApiError('E0000031', undefined, [e.message]);
    throw e;
  }
  for (const c of scimComparisons(f)) {
    if (!allowed(c.attr, c.op)) {
      throw new OktaApiError('E0000031', undefined, [
        `Unsupported attribute or operator: ${c.attr} ${c.op}`,
      ]);
    }
  }
  return f;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw new OktaApiError('E0000003');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts an Okta org simulator on 127.0.0.1: Management API (users, groups, memberships, event
 * hooks), System Log with polling semantics, event-hook delivery with faults, OAuth service apps,
 * rate limits, SCIM push into the AWS simulator, and a `/_sim/` control API. It never crashes on
 * client input: every mistake is answered with Okta's error body.
 */
export async function startOktaSimulator(
  options: OktaSimulatorOptions = {},
): Promise<OktaSimulator> {
  const token = options.token ?? process.env.OKTA_API_TOKEN ?? 'sim-okta-token';
  const random = seededRandom(options.seed ?? 1);
  const newId = makeOktaIdGenerator(random);
  const now = (): Date => new Date();
  let orgUrl = '';
  let currentCtx: AuditContext | undefined;
  let seeding = true;

  const systemLog = new SystemLog(now, random, options.logIngestionDelayMs ?? 0);
  const rateLimiter = new RateLimiter(options.rateLimits ?? {});
  const oauth = new OAuthServer(
    () => `${orgUrl}/oauth2/v1/token`,
    Date.now,
    options.oauthTokenTtlSeconds ?? 3600,
  );
  const calls = new Map<string, number>();
  const statuses = new Map<string, number>();
  let totalCalls = 0;

  const adminCtx = (uri: string): AuditContext => ({
    requestId: requestId(),
    actor: adminActor,
    ipAddress: '127.0.0.1',
    userAgent: 'Mozilla/5.0 (okta-aws-sync simulator admin console)',
    requestUri: uri,
    url: `${uri}?`,
    transactionType: 'WEB',
  });

  const writeEvent = (change: Parameters<typeof buildLogEvent>[0], ctx: AuditContext): LogEvent => {
    const event = buildLogEvent(change, ctx, now(), hooks.subscribedHookIds(change.eventType));
    systemLog.append(event);
    hooks.enqueue(event);
    return event;
  };

  const hooks: EventHookService = new EventHookService(
    () => orgUrl,
    () => newId('who'),
    now,
    random,
    (eventType, displayMessage, hook, failure) => {
      if (seeding) return;
      const target = {
        id: hook.id,
        type: 'EventHook',
        alternateId: hook.name,
        displayName: hook.name,
        detailEntry: null,
      };
      const ctx = currentCtx ?? {
        ...adminCtx('/api/v1/eventHooks'),
        transactionType: 'JOB' as const,
        actor: {
          id: 'system',
          type: 'SystemPrincipal',
          alternateId: 'system@okta.com',
          displayName: 'Okta System',
        },
      };
      writeEvent(
        failure === undefined
          ? { eventType, displayMessage, targets: [target] }
          : {
              eventType,
              displayMessage,
              targets: [target],
              severity: 'WARN',
              outcome: { result: 'FAILURE', reason: failure },
            },
        ctx,
      );
    },
    options.hookDelivery ?? {},
  );

  let scim: ScimPush | undefined;
  const directory = new OktaDirectory(now, (change: DirectoryChange) => {
    if (seeding) return;
    writeEvent(change, currentCtx ?? adminCtx('/admin/unknown'));
    scim?.onChange(change);
  });
  if (options.scim) scim = new ScimPush({ ...options.scim }, directory, now);

  // ---- seeding ----------------------------------------------------------------------------
  directory.createGroup({
    id: newId('00g'),
    name: 'Everyone',
    description: 'All users in your organization',
    type: 'BUILT_IN',
  });
  const scenario: ResolvedOktaScenario | undefined =
    options.scenario === undefined ? undefined : loadOktaScenario(options.scenario);
  if (scenario) {
    for (const u of scenario.users) {
      const [first, ...rest] = u.login.split('@')[0]?.split('.') ?? [];
      directory.createUser({
        id: u.id ?? newId('00u'),
        profile: {
          ...(u.profile ?? {}),
          login: u.login,
          email: u.email ?? u.login,
          firstName: u.firstName ?? first ?? u.login,
          lastName: u.lastName ?? (rest.join(' ') || 'User'),
        },
        status: u.status ?? 'ACTIVE',
        appAssigned: u.appAssigned ?? false,
      });
    }
    for (const g of scenario.groups) {
      const group = directory.createGroup({
        id: g.id ?? newId('00g'),
        name: g.name,
        description: g.description ?? null,
        type: g.type ?? 'OKTA_GROUP',
        pushed: g.pushed ?? g.name.startsWith('aws#'),
      });
      for (const m of g.members) {
        const user = directory.requireUser(m);
        if (group.type === 'APP_GROUP') {
          group.type = 'OKTA_GROUP';
          directory.addMember(group.id, user.id);
          group.type = 'APP_GROUP';
        } else directory.addMember(group.id, user.id);
      }
    }
    for (const app of scenario.oauthApps) {
      oauth.register({
        clientId: app.clientId,
        scopes: app.scopes,
        publicJwks: app.publicJwks,
        ...(app.name ? { name: app.name } : {}),
      });
    }
    if (scenario.hookDelivery) hooks.faults = { ...hooks.faults, ...scenario.hookDelivery };
  }
  seeding = false;

  // ---- serializers ------------------------------------------------------------------------
  const userJson = (u: SimUser): Record<string, unknown> => {
    const self = `${orgUrl}/api/v1/users/${u.id}`;
    return {
      id: u.id,
      status: u.status,
      created: u.created,
      activated: u.activated,
      statusChanged: u.statusChanged,
      lastLogin: null,
      lastUpdated: u.lastUpdated,
      passwordChanged: null,
      type: { id: 'otysimDefaultType001' },
      profile: { mobilePhone: null, secondEmail: null, ...u.profile },
      credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
      _links: {
        self: { href: self },
        ...(u.status === 'ACTIVE'
          ? {
              suspend: { href: `${self}/lifecycle/suspend`, hints: { allow: ['POST'] } },
              deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } },
            }
          : {}),
        ...(u.status === 'SUSPENDED'
          ? { unsuspend: { href: `${self}/lifecycle/unsuspend`, hints: { allow: ['POST'] } } }
          : {}),
        ...(u.status === 'DEPROVISIONED' || u.status === 'STAGED'
          ? { activate: { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } } }
          : {}),
      },
    };
  };
  const groupJson = (g: SimGroup, stats = false): Record<string, unknown> => {
    const self = `${orgUrl}/api/v1/groups/${g.id}`;
    return {
      id: g.id,
      created: g.created,
      lastUpdated: g.lastUpdated,
      lastMembershipUpdated: g.lastMembershipUpdated,
      objectClass: ['okta:user_group'],
      type: g.type,
      profile: { ...g.profile },
      _links: {
        logo: [
          {
            name: 'medium',
            href: `${orgUrl}/assets/img/logos/groups/okta-medium.png`,
            type: 'image/png',
          },
          {
            name: 'large',
            href: `${orgUrl}/assets/img/logos/groups/okta-large.png`,
            type: 'image/png',
          },
        ],
        users: { href: `${self}/users` },
        apps: { href: `${self}/apps` },
        self: { href: self },
      },
      ...(stats
        ? {
            _embedded: {
              stats: {
                usersCount: directory.membersOf(g.id).size,
                appsCount: g.pushed ? 1 : 0,
                groupPushMappingsCount: g.pushed ? 1 : 0,
                hasAdminPrivilege: false,
              },
            },
          }
        : {}),
    };
  };

  // ---- handlers ---------------------------------------------------------------------------
  const q = (req: RequestInfo, name: string): string | undefined =>
    req.url.searchParams.get(name) ?? undefined;
  const bodyObject = (req: RequestInfo): Record<string, unknown> => {
    if (
      req.body === undefined ||
      req.body === null ||
      typeof req.body !== 'object' ||
      Array.isArray(req.body)
    ) {
      throw validationFailed('body', 'The request body must be a JSON object');
    }
    return req.body as Record<string, unknown>;
  };
  const pageQuery = (req: RequestInfo, after: string): string => {
    const p = new URLSearchParams(req.url.searchParams);
    p.set('after', after);
    return p.toString();
  };

  const userFilterAttrs = new Set([
    'status',
    'lastUpdated',
    'id',
    'profile.login',
    'profile.email',
    'profile.firstName',
    'profile.lastName',
  ]);
  const userGet =
    (u: SimUser) =>
    (attr: string): unknown =>
      attr === 'type.id' ? 'otysimDefaultType001' : getPath(u, attr);

  const listUsers = (req: RequestInfo): HandlerResult => {
    const search = q(req, 'search');
    const filterRaw = q(req, 'filter');
    const qq = q(req, 'q');
    const limit = parseLimit(q(req, 'limit'), 200, qq ? 200 : 200);
    const after = q(req, 'after');
    const predicates: ((u: SimUser) => boolean)[] = [];
    if (search) {
      const f = parseExpression(
        search,
        (attr, op) =>
          op !== 'ew' &&
          (attr.startsWith('profile.') ||
            [
              'status',
              'id',
              'created',
              'lastUpdated',
              'statusChanged',
              'activated',
              'type.id',
            ].includes(attr)),
      );
      predicates.push((u) => matchesScimFilter(f, userGet(u)));
    }
    if (filterRaw) {
      const f = parseExpression(
        filterRaw,
        (attr, op) =>
          userFilterAttrs.has(attr) &&
          (op === 'eq' || (attr === 'lastUpdated' && ['gt', 'ge', 'lt', 'le'].includes(op))),
      );
      predicates.push((u) => matchesScimFilter(f, userGet(u)));
    }
    if (qq) {
      const needle = qq.toLowerCase();
      predicates.push(
        (u) =>
          u.status !== 'DEPROVISIONED' &&
          [u.profile.login, u.profile.email, u.profile.firstName, u.profile.lastName].some((v) =>
            v.toLowerCase().startsWith(needle),
          ),
      );
    }
    if (!search && !filterRaw) predicates.push((u) => u.status !== 'DEPROVISIONED');
    const page: SimUser[] = [];
    let more = false;
    for (const id of directory.userIndex.after(after)) {
      const u = directory.users.get(id);
      if (!u || !predicates.every((p) => p(u))) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(u);
    }
    const last = page[page.length - 1];
    return {
      status: 200,
      body: page.map(userJson),
      ...(more && last && !qq ? { next: pageQuery(req, last.id) } : {}),
    };
  };

  const groupGet =
    (g: SimGroup) =>
    (attr: string): unknown =>
      getPath(g, attr);
  const listGroups = (req: RequestInfo): HandlerResult => {
    const search = q(req, 'search');
    const filterRaw = q(req, 'filter');
    const qq = q(req, 'q');
    const limit = parseLimit(q(req, 'limit'), 10000, 10000);
    const after = q(req, 'after');
    const stats = (q(req, 'expand') ?? '').split(',').includes('stats');
    const predicates: ((g: SimGroup) => boolean)[] = [];
    const checkType = (f: ScimFilter): void => {
      for (const c of scimComparisons(f)) {
        if (c.attr === 'type' && !(oktaGroupTypes as readonly unknown[]).includes(c.value)) {
          throw new OktaApiError('E0000031', undefined, [`Invalid group type: ${String(c.value)}`]);
        }
      }
    };
    if (search) {
      const f = parseExpression(search, (attr, op) => {
        if (op === 'co') return attr === 'profile.name' || attr === 'profile.description';
        return (
          ['eq', 'sw', 'gt', 'ge', 'lt', 'le', 'pr', 'ne'].includes(op) &&
          (attr.startsWith('profile.') ||
            ['id', 'type', 'created', 'lastUpdated', 'lastMembershipUpdated', 'source.id'].includes(
              attr,
            ))
        );
      });
      checkType(f);
      predicates.push((g) => matchesScimFilter(f, groupGet(g)));
    }
    if (filterRaw) {
      const f = parseExpression(
        filterRaw,
        (attr, op) =>
          ['id', 'type', 'lastUpdated', 'lastMembershipUpdated'].includes(attr) &&
          (op === 'eq' ||
            (attr !== 'id' && attr !== 'type' && ['gt', 'ge', 'lt', 'le'].includes(op))),
      );
      checkType(f);
      predicates.push((g) => matchesScimFilter(f, groupGet(g)));
    }
    if (qq) {
      const needle = qq.toLowerCase();
      predicates.push((g) => g.profile.name.toLowerCase().startsWith(needle));
    }
    const page: SimGroup[] = [];
    let more = false;
    for (const id of directory.groupIndex.after(after)) {
      const g = directory.groups.get(id);
      if (!g || !predicates.every((p) => p(g))) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(g);
    }
    const last = page[page.length - 1];
    return {
      status: 200,
      body: page.map((g) => groupJson(g, stats)),
      ...(more && last && !qq ? { next: pageQuery(req, last.id) } : {}),
    };
  };

  const listGroupUsers = (req: RequestInfo): HandlerResult => {
    const group = directory.requireGroup(req.params.groupId ?? '');
    const limit = parseLimit(q(req, 'limit'), 1000, 10000);
    const after = q(req, 'after');
    const ids = [...directory.membersOf(group.id)]
      .sort()
      .filter((id) => after === undefined || id > after);
    const page = ids.slice(0, limit);
    const last = page[page.length - 1];
    return {
      status: 200,
      body: page
        .map((id) => directory.users.get(id))
        .filter((u): u is SimUser => u !== undefined)
        .map(userJson),
      ...(ids.length > page.length && last ? { next: pageQuery(req, last) } : {}),
    };
  };

  const withCtx = <T>(ctx: AuditContext, fn: () => T): T => {
    const prev = currentCtx;
    currentCtx = ctx;
    try {
      return fn();
    } finally {
      currentCtx = prev;
    }
  };

  const createUserApi = (req: RequestInfo): HandlerResult => {
    const body = bodyObject(req);
    const profile = body.profile;
    if (!profile || typeof profile !== 'object' || Array.isArray(profile))
      throw validationFailed('profile', 'profile: The field cannot be left blank');
    const groupIds = Array.isArray(body.groupIds) ? body.groupIds.map(String) : [];
    for (const gid of groupIds) directory.requireGroup(gid);
    const activate = q(req, 'activate') !== 'false';
    const user = directory.createUser(
      { id: newId('00u'), profile: profile as Record<string, unknown> },
      activate,
    );
    for (const gid of groupIds) directory.addMember(gid, user.id);
    return { status: 200, body: userJson(user) };
  };

  const updateUserApi =
    (partial: boolean) =>
    (req: RequestInfo): HandlerResult => {
      const body = bodyObject(req);
      const profile = body.profile;
      if (!profile || typeof profile !== 'object' || Array.isArray(profile))
        throw validationFailed('profile', 'profile: The field cannot be left blank');
      const user = directory.updateUserProfile(
        directory.requireUser(req.params.id ?? '').id,
        profile as Record<string, unknown>,
        partial,
      );
      return { status: 200, body: userJson(user) };
    };

  const lifecycle =
    (op: 'activate' | 'deactivate' | 'suspend' | 'unsuspend') =>
    (req: RequestInfo): HandlerResult => {
      const user = directory.requireUser(req.params.id ?? '');
      if (op === 'activate') {
        directory.activateUser(user.id);
        // Okta answers activation with an activation token body unless sendEmail is true.
        return {
          status: 200,
          body:
            q(req, 'sendEmail') === 'true'
              ? {}
              : {
                  activationUrl: `${orgUrl}/welcome/sim${user.id}`,
                  activationToken: `sim${user.id}`,
                },
        };
      }
      if (op === 'deactivate') directory.deactivateUser(user.id);
      if (op === 'suspend') directory.suspendUser(user.id);
      if (op === 'unsuspend') directory.unsuspendUser(user.id);
      // The spec declares these 200s without a body.
      return { status: 200 };
    };

  const createGroupApi = (req: RequestInfo): HandlerResult => {
    const body = bodyObject(req);
    const profile = (body.profile ?? {}) as Record<string, unknown>;
    if (typeof profile.name !== 'string')
      throw validationFailed('name', 'name: The field cannot be left blank');
    const { name, description, ...extra } = profile;
    const group = directory.createGroup({
      id: newId('00g'),
      name,
      description: typeof description === 'string' ? description : null,
      extraProfile: extra,
      pushed: name.startsWith('aws#'),
    });
    return { status: 200, body: groupJson(group) };
  };

  const routes: Route[] = [];
  const route = (
    method: string,
    template: string,
    bucket: RateLimitBucket,
    scopes: readonly string[],
    handler: Route['handler'],
  ): void => {
    const pattern = new RegExp('^' + template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)') + '/?$');
    routes.push({ method, pattern, template, bucket, scopes, handler });
  };

  route('GET', '/api/v1/users', 'users', USERS_READ, listUsers);
  route('POST', '/api/v1/users', 'users', USERS_MANAGE, createUserApi);
  route('GET', '/api/v1/users/{id}', 'user', USERS_READ, (req) => ({
    status: 200,
    body: userJson(directory.requireUser(req.params.id ?? '')),
  }));
  route('POST', '/api/v1/users/{id}', 'user', USERS_MANAGE, updateUserApi(true));
  route('PUT', '/api/v1/users/{id}', 'user', USERS_MANAGE, updateUserApi(false));
  route('DELETE', '/api/v1/users/{id}', 'user', USERS_MANAGE, (req) => {
    directory.deleteUser(directory.requireUser(req.params.id ?? '').id);
    return { status: 204 };
  });
  route('GET', '/api/v1/users/{id}/groups', 'user', [...USERS_READ, ...GROUPS_READ], (req) => {
    const user = directory.requireUser(req.params.id ?? '');
    const groups = [...directory.groupsOf(user.id)]
      .sort()
      .map((id) => directory.groups.get(id))
      .filter((g): g is SimGroup => g !== undefined);
    return { status: 200, body: groups.map((g) => groupJson(g)) };
  });
  for (const op of ['activate', 'deactivate', 'suspend', 'unsuspend'] as const) {
    route('POST', `/api/v1/users/{id}/lifecycle/${op}`, 'user', USERS_MANAGE, lifecycle(op));
  }
  route('GET', '/api/v1/groups', 'groups', GROUPS_READ, listGroups);
  route('POST', '/api/v1/groups', 'groups', GROUPS_MANAGE, createGroupApi);
  route('GET', '/api/v1/groups/{groupId}', 'group', GROUPS_READ, (req) => ({
    status: 200,
    body: groupJson(
      directory.requireGroup(req.params.groupId ?? ''),
      (q(req, 'expand') ?? '').includes('stats'),
    ),
  }));
  route('PUT', '/api/v1/groups/{groupId}', 'group', GROUPS_MANAGE, (req) => {
    const body = bodyObject(req);
    const profile = body.profile;
    if (!profile || typeof profile !== 'object' || Array.isArray(profile))
      throw validationFailed('profile', 'profile: The field cannot be left blank');
    return {
      status: 200,
      body: groupJson(
        directory.updateGroup(req.params.groupId ?? '', profile as Record<string, unknown>),
      ),
    };
  });
  route('DELETE', '/api/v1/groups/{groupId}', 'group', GROUPS_MANAGE, (req) => {
    directory.deleteGroup(req.params.groupId ?? '');
    return { status: 204 };
  });
  route('GET', '/api/v1/groups/{groupId}/users', 'group', GROUPS_READ, listGroupUsers);
  route('PUT', '/api/v1/groups/{groupId}/users/{userId}', 'group', GROUPS_MANAGE, (req) => {
    const user = directory.users.get(req.params.userId ?? '');
    if (!user) throw notFound(req.params.userId ?? '', 'User');
    directory.addMember(req.params.groupId ?? '', user.id);
    return { status: 204 };
  });
  route('DELETE', '/api/v1/groups/{groupId}/users/{userId}', 'group', GROUPS_MANAGE, (req) => {
    const user = directory.users.get(req.params.userId ?? '');
    if (!user) throw notFound(req.params.userId ?? '', 'User');
    directory.removeMember(req.params.groupId ?? '', user.id);
    return { status: 204 };
  });
  route('GET', '/api/v1/logs', 'logs', ['okta.logs.read'], (req) => {
    const p = req.url.searchParams;
    const get = (k: string): string | undefined => p.get(k) ?? undefined;
    const page = systemLog.query({
      since: get('since'),
      until: get('until'),
      after: get('after'),
      filter: get('filter'),
      q: get('q'),
      limit: get('limit'),
      sortOrder: get('sortOrder'),
    });
    return { status: 200, body: page.events, ...(page.next ? { next: page.next } : {}) };
  });
  route('GET', '/api/v1/eventHooks', 'eventHooks', HOOKS_READ, () => ({
    status: 200,
    body: [...hooks.hooks.values()].map((h) => hooks.serialize(h)),
  }));
  route('POST', '/api/v1/eventHooks', 'eventHooks', HOOKS_MANAGE, (req) => ({
    status: 200,
    body: hooks.serialize(hooks.create(bodyObject(req), req.ctx.actor.id)),
  }));
  route('GET', '/api/v1/eventHooks/{eventHookId}', 'eventHooks', HOOKS_READ, (req) => ({
    status: 200,
    body: hooks.serialize(hooks.require(req.params.eventHookId ?? '')),
  }));
  route('PUT', '/api/v1/eventHooks/{eventHookId}', 'eventHooks', HOOKS_MANAGE, (req) => ({
    status: 200,
    body: hooks.serialize(hooks.replace(req.params.eventHookId ?? '', bodyObject(req))),
  }));
  route('DELETE', '/api/v1/eventHooks/{eventHookId}', 'eventHooks', HOOKS_MANAGE, (req) => {
    hooks.delete(req.params.eventHookId ?? '');
    return { status: 204 };
  });
  route(
    'POST',
    '/api/v1/eventHooks/{eventHookId}/lifecycle/activate',
    'eventHooks',
    HOOKS_MANAGE,
    (req) => ({ status: 200, body: hooks.serialize(hooks.activate(req.params.eventHookId ?? '')) }),
  );
  route(
    'POST',
    '/api/v1/eventHooks/{eventHookId}/lifecycle/deactivate',
    'eventHooks',
    HOOKS_MANAGE,
    (req) => ({
      status: 200,
      body: hooks.serialize(hooks.deactivate(req.params.eventHookId ?? '')),
    }),
  );
  route(
    'POST',
    '/api/v1/eventHooks/{eventHookId}/lifecycle/verify',
    'eventHooks',
    HOOKS_MANAGE,
    async (req) => {
      const hook = await hooks.verify(req.params.eventHookId ?? '');
      return { status: 200, body: hooks.serialize(hook) };
    },
  );

  // ---- admin actions, story, control ------------------------------------------------------
  const findGroup = (idOrName: string): SimGroup =>
    directory.groups.get(idOrName) ??
    directory.findGroupByName(idOrName) ??
    directory.requireGroup(idOrName);
  const admin = (action: OktaAdminAction): unknown => {
    const ctx = adminCtx(`/admin/${action.action}`);
    return withCtx(ctx, () => {
      switch (action.action) {
        case 'createUser': {
          const [first, ...rest] = action.login.split('@')[0]?.split('.') ?? [];
          return userJson(
            directory.createUser(
              {
                id: action.id ?? newId('00u'),
                profile: {
                  login: action.login,
                  email: action.email ?? action.login,
                  firstName: action.firstName ?? first ?? action.login,
                  lastName: action.lastName ?? (rest.join(' ') || 'User'),
                },
                appAssigned: action.appAssigned ?? false,
              },
              action.activate ?? true,
            ),
          );
        }
        case 'updateUser':
          return userJson(
            directory.updateUserProfile(
              directory.requireUser(action.user).id,
              action.profile,
              true,
            ),
          );
        case 'activateUser':
          return userJson(directory.activateUser(action.user));
        case 'deactivateUser':
          return userJson(directory.deactivateUser(action.user));
        case 'suspendUser':
          return userJson(directory.suspendUser(action.user));
        case 'unsuspendUser':
          return userJson(directory.unsuspendUser(action.user));
        case 'deleteUser': {
          const user = directory.requireUser(action.user);
          if (user.status !== 'DEPROVISIONED') directory.deleteUser(user.id);
          directory.deleteUser(user.id);
          return { deleted: user.id };
        }
        case 'assignApp':
        case 'unassignApp':
          return userJson(
            directory.setAppAssignment(
              directory.requireUser(action.user).id,
              action.action === 'assignApp',
            ),
          );
        case 'createGroup':
          return groupJson(
            directory.createGroup({
              id: action.id ?? newId('00g'),
              name: action.name,
              description: action.description ?? null,
              pushed: action.pushed ?? action.name.startsWith('aws#'),
            }),
          );
        case 'renameGroup': {
          const g = findGroup(action.group);
          return groupJson(directory.updateGroup(g.id, { ...g.profile, name: action.name }));
        }
        case 'deleteGroup':
          directory.deleteGroup(findGroup(action.group).id);
          return { deleted: action.group };
        case 'pushGroup':
        case 'unpushGroup':
          return groupJson(
            directory.setGroupPushed(findGroup(action.group).id, action.action === 'pushGroup'),
          );
        case 'addMember':
          directory.addMember(findGroup(action.group).id, directory.requireUser(action.user).id);
          return { ok: true };
        case 'removeMember':
          directory.removeMember(findGroup(action.group).id, directory.requireUser(action.user).id);
          return { ok: true };
      }
    });
  };

  const storyTimers = new Set<NodeJS.Timeout>();
  const runStory = async (steps: OktaStoryStep[]): Promise<StoryResult> => {
    const results: unknown[] = [];
    for (const step of steps) {
      if (step.afterMs) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            storyTimers.delete(t);
            resolve();
          }, step.afterMs);
          storyTimers.add(t);
        });
      }
      const { afterMs: _afterMs, ...action } = step;
      try {
        results.push(admin(action));
      } catch (e) {
        results.push(e instanceof OktaApiError ? { error: e.body } : { error: String(e) });
      }
    }
    return { steps: steps.length, results };
  };

  const state = (): OktaSimulatorState => ({
    users: [...directory.users.values()].map((u) => ({
      id: u.id,
      login: u.profile.login,
      status: u.status,
      appAssigned: u.appAssigned,
      groupIds: [...directory.groupsOf(u.id)],
    })),
    groups: [...directory.groups.values()].map((g) => ({
      id: g.id,
      name: g.profile.name,
      type: g.type,
      pushed: g.pushed,
      memberIds: [...directory.membersOf(g.id)],
    })),
    hooks: [...hooks.hooks.values()].map((h) => hooks.serialize(h)),
    logEventCount: systemLog.size,
    deliveries: hooks.deliveries.length,
    ...(scim
      ? {
          scim: {
            userIds: Object.fromEntries(scim.userIds),
            groupIds: Object.fromEntries(scim.groupIds),
            failures: scim.records.filter((r) => !r.ok).length,
          },
        }
      : {}),
  });

  const control: OktaSimulatorControl = {
    admin,
    setHookFaults: (f) => {
      hooks.faults = { ...hooks.faults, ...f };
    },
    hookFaults: () => ({ ...hooks.faults }),
    setRateLimits: (s) => rateLimiter.configure(s),
    rateLimits: () => rateLimiter.current(),
    setLogIngestionDelay: (d) => {
      systemLog.ingestionDelay = d;
    },
    setScimLag: (ms) => {
      if (scim) scim.lagMs = ms;
    },
    registerServiceApp: (app) => oauth.register(app),
    state,
    calls: () => ({
      total: totalCalls,
      byEndpoint: Object.fromEntries(calls),
      byStatus: Object.fromEntries(statuses),
    }),
    resetCalls: () => {
      calls.clear();
      statuses.clear();
      totalCalls = 0;
    },
    deliveries: () => hooks.deliveries,
    scimRecords: () => scim?.records ?? [],
    logEvents: () => systemLog.all(),
    runStory,
    flushHookBatches: () => hooks.flushBatches(),
    settle: async () => {
      systemLog.flush();
      await hooks.idle();
      await scim?.idle();
      systemLog.flush();
      await hooks.idle();
    },
  };

  const controlRoute = async (
    method: string,
    path: string,
    body: unknown,
  ): Promise<HandlerResult> => {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /_sim/state':
        return { status: 200, body: state() };
      case 'POST /_sim/admin': {
        const parsed = oktaAdminActionSchema.safeParse(body);
        if (!parsed.success)
          throw validationFailed(
            'action',
            ...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          );
        return { status: 200, body: admin(parsed.data) ?? {} };
      }
      case 'GET /_sim/hook-faults':
        return { status: 200, body: control.hookFaults() };
      case 'PUT /_sim/hook-faults':
        control.setHookFaults(body ?? {});
        return { status: 200, body: control.hookFaults() };
      case 'GET /_sim/rate-limits':
        return { status: 200, body: control.rateLimits() };
      case 'PUT /_sim/rate-limits':
        control.setRateLimits(body ?? {});
        return { status: 200, body: control.rateLimits() };
      case 'PUT /_sim/log-ingestion-delay':
        control.setLogIngestionDelay(((body ?? {}) as { delay?: IngestionDelay }).delay ?? 0);
        return { status: 204 };
      case 'PUT /_sim/scim-lag':
        control.setScimLag(Number(((body ?? {}) as { lagMs?: number }).lagMs ?? 0));
        return { status: 204 };
      case 'POST /_sim/oauth-apps': {
        const b = (body ?? {}) as Partial<OAuthServiceApp> & { publicJwk?: JsonWebKey };
        const jwks = b.publicJwks ?? (b.publicJwk ? [b.publicJwk] : []);
        if (typeof b.clientId !== 'string' || jwks.length === 0 || !Array.isArray(b.scopes)) {
          throw validationFailed('app', 'clientId, publicJwk(s) and scopes are required');
        }
        control.registerServiceApp({
          clientId: b.clientId,
          publicJwks: jwks,
          scopes: b.scopes,
          ...(b.name ? { name: b.name } : {}),
        });
        return { status: 201, body: { clientId: b.clientId } };
      }
      case 'GET /_sim/calls':
        return { status: 200, body: control.calls() };
      case 'DELETE /_sim/calls':
        control.resetCalls();
        return { status: 204 };
      case 'GET /_sim/deliveries':
        return { status: 200, body: control.deliveries() };
      case 'GET /_sim/scim':
        return { status: 200, body: control.scimRecords() };
      case 'POST /_sim/settle':
        await control.settle();
        return { status: 204 };
      case 'POST /_sim/story': {
        const steps = (body as { steps?: unknown } | undefined)?.steps;
        const parsed = oktaStoryStepSchema.array().safeParse(steps);
        if (!parsed.success)
          throw validationFailed(
            'steps',
            ...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          );
        const wait = (body as { wait?: unknown }).wait === true;
        const run = runStory(parsed.data);
        if (wait) return { status: 200, body: await run };
        void run.catch(() => undefined);
        return { status: 202, body: { steps: parsed.data.length } };
      }
      default:
        throw new OktaApiError('E0000007', `Resource not found: ${path} (Path)`);
    }
  };

  // ---- transport --------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    extraHeaders: Record<string, string | string[]> = {},
  ): void => {
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
    if (status === 204 || body === undefined) {
      res.statusCode = status;
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  };

  const authenticate = (header: string | undefined, route: Route): Caller => {
    const h = header ?? '';
    if (h.startsWith('SSWS ')) {
      if (h.slice(5) === token) return { kind: 'ssws' };
      throw new OktaApiError('E0000011');
    }
    const m = /^(Bearer|DPoP) (.+)$/.exec(h);
    if (m) {
      const at = oauth.lookup(m[2] ?? '');
      if (!at) throw new OktaApiError('E0000011');
      if (!route.scopes.some((s) => at.scopes.has(s))) throw new OktaApiError('E0000006');
      return { kind: 'oauth', token: at };
    }
    throw new OktaApiError('E0000011');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reqId = requestId();
    res.setHeader('x-okta-request-id', reqId);
    res.setHeader('date', new Date().toUTCString());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sim.invalid');
    } catch {
      url = new URL('http://sim.invalid/');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    let endpointKey = `${method} ${path}`;
    let status = 500;
    let acquired = false;
    try {
      if (path.startsWith('/_sim/')) {
        const raw = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
        let body: unknown;
        if (raw !== '') {
          try {
            body = JSON.parse(raw);
          } catch {
            throw new OktaApiError('E0000003');
          }
        }
        const result = await controlRoute(method, path, body);
        status = result.status;
        send(res, status, result.body);
        return;
      }

      let matched: Route | undefined;
      let params: Record<string, string> = {};
      let pathKnown = false;
      for (const r of routes) {
        const m = r.pattern.exec(path);
        if (!m) continue;
        pathKnown = true;
        if (r.method === method) {
          matched = r;
          params = Object.fromEntries(
            Object.entries(m.groups ?? {}).map(([k, v]) => [k, safeDecode(v)]),
          );
          break;
        }
      }
      const bucket: RateLimitBucket =
        path === '/oauth2/v1/token' ? 'token' : (matched?.bucket ?? 'other');
      if (matched) endpointKey = `${method} ${matched.template}`;
      else if (path === '/oauth2/v1/token') endpointKey = `${method} /oauth2/v1/token`;
      const decision = rateLimiter.acquire(bucket);
      acquired = true;
      res.setHeader('x-rate-limit-limit', String(decision.limit));
      res.setHeader('x-rate-limit-remaining', String(decision.remaining));
      res.setHeader('x-rate-limit-reset', String(decision.reset));
      if (decision.limited) throw new OktaApiError('E0000047');

      if (path === '/oauth2/v1/token') {
        if (method !== 'POST') throw new OktaApiError('E0000022');
        const raw = await readBody(req);
        const result = oauth.token(new URLSearchParams(raw));
        status = result.status;
        send(res, status, result.body, {
          'cache-control': 'no-cache, no-store',
          pragma: 'no-cache',
        });
        return;
      }

      if (!matched) {
        if (pathKnown) throw new OktaApiError('E0000022');
        throw new OktaApiError('E0000007', `Resource not found: ${path} (Path)`);
      }
      const caller = authenticate(req.headers.authorization, matched);
      let body: unknown;
      if (method === 'POST' || method === 'PUT') {
        const raw = await readBody(req);
        if (raw.trim() !== '') {
          try {
            body = JSON.parse(raw);
          } catch {
            throw new OktaApiError('E0000003');
          }
        }
      }
      const app = caller.token ? oauth.apps.get(caller.token.clientId) : undefined;
      const ctx: AuditContext = {
        requestId: reqId,
        actor:
          caller.kind === 'oauth' && caller.token
            ? {
                id: caller.token.clientId,
                type: 'PublicClientAppEntity',
                alternateId: 'unknown',
                displayName: app?.name ?? caller.token.clientId,
              }
            : adminActor,
        ipAddress: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? 'unknown',
        requestUri: path,
        url: `${path}?${url.searchParams.toString()}`,
        ...(caller.kind === 'ssws' ? { apiTokenId: '00Tsim0000000000000a' } : {}),
        transactionType: 'WEB',
      };
      const info: RequestInfo = { method, url, params, body, caller, ctx };
      const result = await withCtxAsync(ctx, () => matched.handler(info));
      status = result.status;
      const links: string[] = [];
      if (Array.isArray(result.body) || result.next !== undefined) {
        const selfQuery = url.searchParams.toString();
        links.push(`<${orgUrl}${path}${selfQuery ? `?${selfQuery}` : ''}>; rel="self"`);
        if (result.next !== undefined) links.push(`<${orgUrl}${path}?${result.next}>; rel="next"`);
      }
      send(res, status, result.body, links.length > 0 ? { link: links } : {});
    } catch (e) {
      if (e instanceof OktaApiError) {
        status = e.status;
        send(res, status, e.body satisfies OktaErrorBody);
      } else {
        status = 500;
        const err = new OktaApiError('E0000009');
        send(res, 500, err.body);
        process.emitWarning(
          `okta simulator: unexpected error on ${method} ${path}: ${e instanceof Error ? e.stack : String(e)}`,
        );
      }
    } finally {
      if (acquired) rateLimiter.release();
      totalCalls++;
      calls.set(endpointKey, (calls.get(endpointKey) ?? 0) + 1);
      statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
    }
  };

  // Handlers mutate synchronously; a verify is async but audits through its own context.
  async function withCtxAsync<T>(ctx: AuditContext, fn: () => T | Promise<T>): Promise<T> {
    const prev = currentCtx;
    currentCtx = ctx;
    try {
      const out = fn();
      if (out instanceof Promise) {
        currentCtx = prev;
        return await out;
      }
      return out;
    } finally {
      currentCtx = prev;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  orgUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  if (scenario) {
    seeding = true;
    for (const h of scenario.hooks) {
      const hook = hooks.create(
        {
          name: h.name,
          events: { type: 'EVENT_TYPE', items: h.events },
          channel: {
            type: 'HTTP',
            version: '1.0.0',
            config: {
              uri: h.uri,
              headers: h.headers ?? [],
              authScheme: h.authorization ? { type: 'HEADER', ...h.authorization } : null,
            },
          },
        },
        adminActor.id,
      );
      if (h.verified ?? true) hook.verificationStatus = 'VERIFIED';
      if (h.status === 'INACTIVE') hook.status = 'INACTIVE';
    }
    seeding = false;
  }
  scim?.initialSync();
  if (scenario && scenario.story.length > 0) void runStory(scenario.story).catch(() => undefined);

  return {
    orgUrl,
    port,
    token,
    control,
    close: async () => {
      for (const t of storyTimers) clearTimeout(t);
      storyTimers.clear();
      systemLog.flush();
      await hooks.close();
      scim?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { groupTarget };
