import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { seededRandom } from './okta-ids.js';

const userStatus = z.enum([
  'ACTIVE',
  'DEPROVISIONED',
  'PROVISIONED',
  'STAGED',
  'SUSPENDED',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'RECOVERY',
]);

const adminActionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('createUser'),
    login: z.string(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    email: z.string().optional(),
    activate: z.boolean().optional(),
    appAssigned: z.boolean().optional(),
    id: z.string().optional(),
  }),
  z.object({
    action: z.literal('updateUser'),
    user: z.string(),
    profile: z.record(z.string(), z.unknown()),
  }),
  z.object({
    action: z.enum([
      'activateUser',
      'deactivateUser',
      'suspendUser',
      'unsuspendUser',
      'deleteUser',
      'assignApp',
      'unassignApp',
    ]),
    user: z.string(),
  }),
  z.object({
    action: z.literal('createGroup'),
    name: z.string(),
    description: z.string().optional(),
    pushed: z.boolean().optional(),
    id: z.string().optional(),
  }),
  z.object({ action: z.literal('renameGroup'), group: z.string(), name: z.string() }),
  z.object({ action: z.enum(['deleteGroup', 'pushGroup', 'unpushGroup']), group: z.string() }),
  z.object({ action: z.enum(['addMember', 'removeMember']), group: z.string(), user: z.string() }),
]);

/**
 * An admin action as performed in the Admin Console: it audits, delivers hooks and pushes to the
 * AWS IAM Identity Center app exactly as the matching API call does. `user` is an id or a login,
 * `group` an id or a name.
 */
export type OktaAdminAction = z.infer<typeof adminActionSchema>;
export { adminActionSchema as oktaAdminActionSchema };

/** A step of a scripted story: wait `afterMs` after the previous step, then act. */
export type OktaStoryStep = OktaAdminAction & { afterMs?: number };
export const oktaStoryStepSchema = z.intersection(
  adminActionSchema,
  z.object({ afterMs: z.number().int().nonnegative().optional() }),
);

const scenarioSchema = z.object({
  users: z
    .array(
      z.object({
        id: z.string().optional(),
        login: z.string(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
        email: z.string().optional(),
        status: userStatus.optional(),
        /** Directly assigned to the AWS IAM Identity Center app. */
        appAssigned: z.boolean().optional(),
        profile: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .default([]),
  groups: z
    .array(
      z.object({
        id: z.string().optional(),
        name: z.string(),
        description: z.string().optional(),
        type: z.enum(['OKTA_GROUP', 'APP_GROUP']).optional(),
        /** Pushed to the AWS IAM Identity Center app; default: the name starts with `aws#`. */
        pushed: z.boolean().optional(),
        /** Member logins or ids. */
        members: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  hooks: z
    .array(
      z.object({
        name: z.string(),
        uri: z.string(),
        events: z.array(z.string()),
        authorization: z.object({ key: z.string(), value: z.string() }).optional(),
        headers: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
        /** Pre-verified (no verification GET); default true for seeded hooks. */
        verified: z.boolean().optional(),
        status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
      }),
    )
    .default([]),
  oauthApps: z
    .array(
      z.object({
        clientId: z.string(),
        name: z.string().optional(),
        scopes: z.array(z.string()),
        publicJwks: z.array(z.record(z.string(), z.unknown())),
      }),
    )
    .default([]),
  hookDelivery: z
    .object({
      duplicate: z.number().min(0).max(1).optional(),
      reorder: z.number().min(0).max(1).optional(),
      delay: z.number().min(0).max(1).optional(),
      delayMs: z.number().nonnegative().optional(),
      drop: z.number().min(0).max(1).optional(),
      dropNext: z.number().int().nonnegative().optional(),
      dailyCap: z.number().int().nonnegative().optional(),
      batchWindowMs: z.number().nonnegative().optional(),
      timeoutMs: z.number().positive().optional(),
      retryDelayMs: z.number().nonnegative().optional(),
    })
    .optional(),
  story: z.array(oktaStoryStepSchema).default([]),
});

/** A seeded organisation: users, groups, memberships, app assignments, hooks and a story. */
export type OktaScenario = z.input<typeof scenarioSchema>;
/** A scenario after validation and defaults. */
export type ResolvedOktaScenario = z.output<typeof scenarioSchema>;

/**
 * The sample org of `demo` (also `loadOktaScenario('demo')`). Its users and the groups
 * `aws-prod-readonly`/`aws-dev-admin` carry the Okta ids the AWS simulator's demo scenario records
 * as ExternalIds, so both simulators describe the same pushed principals. Groups in the AWS
 * Account Federation convention point at the AWS demo accounts.
 */
export function demoOktaScenario(): OktaScenario {
  return {
    users: [
      {
        id: '00u1alice000000000001',
        login: 'alice@example.com',
        firstName: 'Alice',
        lastName: 'Anders',
      },
      {
        id: '00u1bob00000000000002',
        login: 'bob@example.com',
        firstName: 'Bob',
        lastName: 'Baker',
      },
      {
        id: '00u1carol000000000003',
        login: 'carol@example.com',
        firstName: 'Carol',
        lastName: 'Chen',
      },
      {
        id: '00u1dave000000000004',
        login: 'dave@example.com',
        firstName: 'Dave',
        lastName: 'Dorsey',
      },
      {
        id: '00u1erin000000000005',
        login: 'erin@example.com',
        firstName: 'Erin',
        lastName: 'Evans',
      },
      {
        id: '00u1frank00000000006',
        login: 'frank@example.com',
        firstName: 'Frank',
        lastName: 'Fox',
        status: 'SUSPENDED',
      },
      {
        id: '00u1grace00000000007',
        login: 'grace@example.com',
        firstName: 'Grace',
        lastName: 'Gill',
        status: 'DEPROVISIONED',
      },
    ],
    groups: [
      {
        id: '00g1prodro0000000001',
        name: 'aws-prod-readonly',
        pushed: true,
        members: ['alice@example.com', 'bob@example.com'],
      },
      {
        id: '00g1devadm0000000002',
        name: 'aws-dev-admin',
        pushed: true,
        members: ['carol@example.com'],
      },
      {
        id: '00g1awsprd0000000003',
        name: 'aws#prod-app#ReadOnly#222222222222',
        members: ['alice@example.com', 'dave@example.com'],
      },
      {
        id: '00g1awsdta0000000004',
        name: 'aws#prod-data#ReadOnly#333333333333',
        members: ['bob@example.com'],
      },
      {
        id: '00g1awsdev0000000005',
        name: 'aws#dev#Admin#555555555555',
        members: ['carol@example.com', 'erin@example.com'],
      },
      {
        id: '00g1eng0000000000006',
        name: 'engineering',
        members: [
          'alice@example.com',
          'bob@example.com',
          'carol@example.com',
          'dave@example.com',
          'erin@example.com',
        ],
      },
      { id: '00g1adsync0000000007', name: 'AD Domain Users', type: 'APP_GROUP' },
    ],
  };
}

/**
 * The demo's scripted story, one admin action every `stepMs`: a new account group is created and
 * filled, users join and leave, one is deactivated, a group is renamed.
 */
export function demoOktaStory(stepMs = 1500): OktaStoryStep[] {
  return [
    { action: 'createGroup', name: 'aws#staging#PowerUser#444444444444', afterMs: stepMs },
    {
      action: 'addMember',
      group: 'aws#staging#PowerUser#444444444444',
      user: 'dave@example.com',
      afterMs: stepMs,
    },
    {
      action: 'addMember',
      group: 'aws#prod-app#ReadOnly#222222222222',
      user: 'erin@example.com',
      afterMs: stepMs,
    },
    {
      action: 'removeMember',
      group: 'aws#prod-app#ReadOnly#222222222222',
      user: 'dave@example.com',
      afterMs: stepMs,
    },
    {
      action: 'createUser',
      login: 'heidi@example.com',
      firstName: 'Heidi',
      lastName: 'Hart',
      afterMs: stepMs,
    },
    {
      action: 'addMember',
      group: 'aws#dev#Admin#555555555555',
      user: 'heidi@example.com',
      afterMs: stepMs,
    },
    { action: 'deactivateUser', user: 'bob@example.com', afterMs: stepMs },
    {
      action: 'renameGroup',
      group: 'aws#prod-data#ReadOnly#333333333333',
      name: 'aws#prod-data#Admin#333333333333',
      afterMs: stepMs,
    },
  ];
}

/**
 * Loads a scenario from a YAML/JSON file path, the word `demo`, or validates an object. Throws a readable error
 * listing every problem; never returns a partially valid scenario.
 */
export function loadOktaScenario(fileOrObject: string | OktaScenario): ResolvedOktaScenario {
  if (fileOrObject === 'demo') return loadOktaScenario(demoOktaScenario());
  const raw: unknown =
    typeof fileOrObject === 'string' ? parseYaml(readFileSync(fileOrObject, 'utf8')) : fileOrObject;
  const result = scenarioSchema.safeParse(raw ?? {});
  if (!result.success) {
    const where = typeof fileOrObject === 'string' ? ` in ${fileOrObject}` : '';
    throw new Error(
      `invalid Okta scenario${where}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

export interface GenerateOktaScenarioOptions {
  users: number;
  groups: number;
  seed?: number;
  /** Average groups per user (default 3). */
  membershipsPerUser?: number;
  /** Share of groups named `aws#alias#role#account` and pushed (default 0.5). */
  awsGroupShare?: number;
  /** Distinct AWS accounts the aws# groups point at (default 20). */
  accounts?: number;
  /** Share of users deactivated (default 0.02) and suspended (default 0.01). */
  deprovisionedShare?: number;
  suspendedShare?: number;
}

const roles = [
  'AdministratorAccess',
  'ReadOnlyAccess',
  'PowerUserAccess',
  'ViewOnlyAccess',
  'Billing',
  'SecurityAudit',
  'DatabaseAdministrator',
  'NetworkAdministrator',
];
const aliases = [
  'prod',
  'staging',
  'dev',
  'sandbox',
  'shared',
  'logs',
  'audit',
  'data',
  'ml',
  'edge',
];
const firstNames = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Barbara',
  'Ken',
  'Margaret',
  'Dennis',
  'Frances',
  'Edsger',
  'Radia',
  'Tim',
  'Katherine',
  'Donald',
  'Hedy',
  'John',
];
const lastNames = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Liskov',
  'Thompson',
  'Hamilton',
  'Ritchie',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Lee',
  'Johnson',
  'Knuth',
  'Lamarr',
  'Backus',
];

/**
 * Builds a large organisation deterministically from a seed (same options ⇒ same scenario), e.g.
 * 100,000 users and 10,000 groups for benchmarks. Half the groups (by default) follow the AWS
 * Account Federation convention `aws#alias#role#account` with 12-digit accounts and are pushed.
 */
export function generateOktaScenario(options: GenerateOktaScenarioOptions): ResolvedOktaScenario {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const accounts = Array.from({ length: options.accounts ?? 20 }, (_, i) =>
    String(100000000000 + Math.floor(random() * 800000000000) + i).slice(0, 12),
  );
  const users: ResolvedOktaScenario['users'] = [];
  const deprov = options.deprovisionedShare ?? 0.02;
  const susp = options.suspendedShare ?? 0.01;
  for (let i = 0; i < options.users; i++) {
    const firstName = pick(firstNames);
    const lastName = pick(lastNames);
    const login = `${firstName.toLowerCase()}.${lastName.toLowerCase()}.${i}@example.com`;
    const r = random();
    users.push({
      login,
      firstName,
      lastName,
      email: login,
      status: r < deprov ? 'DEPROVISIONED' : r < deprov + susp ? 'SUSPENDED' : 'ACTIVE',
    });
  }
  const awsShare = options.awsGroupShare ?? 0.5;
  const awsCount = Math.round(options.groups * awsShare);
  const groups: ResolvedOktaScenario['groups'] = [];
  const names = new Set<string>();
  for (let g = 0; g < options.groups; g++) {
    let name: string;
    if (g < awsCount) {
      name = `aws#${pick(aliases)}#${pick(roles)}#${pick(accounts)}`;
      if (names.has(name)) name = `aws#${pick(aliases)}-${g}#${pick(roles)}#${pick(accounts)}`;
    } else {
      name = `team-${g}`;
    }
    names.add(name);
    groups.push({ name, members: [], ...(g < awsCount ? { pushed: true } : {}) });
  }
  const per = options.membershipsPerUser ?? 3;
  if (groups.length > 0) {
    for (const user of users) {
      const n = Math.floor(random() * (2 * per + 1));
      const chosen = new Set<number>();
      for (let k = 0; k < n; k++) chosen.add(Math.floor(random() * groups.length));
      for (const gi of chosen) groups[gi]?.members.push(user.login);
    }
  }
  return { users, groups, hooks: [], oauthApps: [], story: [] };
}
