import { z } from 'zod';
import {
  AccountId,
  InstanceArn,
  ManagedPolicyArn,
  OktaGroupId,
  OrganizationalUnitId,
  PermissionSetName,
  RoleArn,
  type IdFormat,
} from '../core/domain/ids.js';
import { AssignModes, DEFAULT_OWNERSHIP_TAG } from '../core/rules/compiled-rule.js';
import { Secret } from '../core/secret.js';
import { INTERVAL_PATTERN, isoDurationSeconds, parseInterval } from './duration.js';
import { compileRule } from './rule-compiler.js';

/**
 * For refinements that run even when sibling keys failed: they still need an object to read
 * (a missing `okta:` or a `null` permission set would otherwise crash them with a TypeError).
 */
function whenObject(payload: { value: unknown }): boolean {
  return typeof payload.value === 'object' && payload.value !== null;
}

/**
 * The one config schema: the TypeScript types (`z.output`), runtime validation and the JSON
 * Schema that `config schema` prints (`z.toJSONSchema` of the input side) all come from here.
 * It validates the document after `${env:…}`/`${file:…}` references are resolved; secret fields
 * then hold `Secret` objects, which a literal in the file can never become.
 */

/** Exactly one `${env:NAME}` or `${file:path}` reference. */
export const REFERENCE_PATTERN = /^\$\{(env|file):([^}]+)\}$/;

const LITERAL_SECRET_MESSAGE = 'must be a ${env:…} or ${file:…} reference, found a literal';

/**
 * A resolved secret. In JSON Schema it is a string that must be a reference. A refine on unknown
 * rather than z.custom: a custom schema's failure aborts the parent, which would hide the other
 * problems in the file.
 */
const secretSchema = z
  .unknown()
  .refine((value): value is Secret => value instanceof Secret, {
    error: (issue) =>
      issue.input === undefined
        ? 'missing: expected a ${env:…} or ${file:…} reference'
        : LITERAL_SECRET_MESSAGE,
  })
  .meta({ description: 'A secret: a ${env:NAME} or ${file:path} reference, never a literal.' });

/** The OAuth private key: a reference, or a path to the key file relative to the config. */
const privateKeySchema = z
  .unknown()
  .refine((value): value is Secret => value instanceof Secret, {
    error: (issue) =>
      issue.input === undefined
        ? 'missing: expected a ${env:…} or ${file:…} reference or a key file path'
        : 'must be a ${env:…} or ${file:…} reference or a path to a key file, found a literal key',
  })
  .meta({
    description:
      'PEM or JWK private key: a ${env:NAME} or ${file:path} reference, or a path to the key file (relative to the config file).',
  });

/**
 * A branded id. One refine (not regex + length checks) so a bad id gives one message, and no
 * aborting check, which would stop the rule-level checks from running; the pattern still reaches
 * the JSON Schema through meta.
 */
function idString<T extends string>(format: IdFormat<T>) {
  return z
    .string()
    .refine((value): value is T => format.is(value), { error: `expected ${format.expected}` })
    .meta({ pattern: format.pattern.source });
}

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));

/** An interval such as `30s`, `5m`, `1h30m`; the parsed value is in milliseconds. */
function interval(defaultText: string, minimumMs: number) {
  return z
    .string()
    .regex(INTERVAL_PATTERN, { error: 'expected an interval such as 30s, 5m or 1h30m' })
    .transform((text, ctx) => {
      const ms = parseInterval(text) ?? 0;
      if (ms < minimumMs) {
        ctx.issues.push({
          code: 'custom',
          input: text,
          message: `expected an interval of at least ${minimumMs / 1000}s`,
        });
      }
      return ms;
    })
    .prefault(defaultText)
    .meta({ description: `An interval (ms, s, m, h, d), default ${defaultText}.` });
}

// ---- okta ---------------------------------------------------------------------------------

const DEFAULT_OKTA_SCOPES = ['okta.groups.read', 'okta.users.read', 'okta.logs.read'];

const oktaSchema = z
  .strictObject({
    orgUrl: httpUrl.meta({ description: 'The Okta org URL, e.g. https://example.okta.com.' }),
    token: secretSchema
      .optional()
      .meta({ description: 'SSWS API token (a reference). Exactly one of token or oauth.' }),
    oauth: z
      .strictObject({
        clientId: z.string().min(1),
        privateKeyFile: privateKeySchema,
        keyId: z.string().min(1).optional(),
        scopes: z.array(z.string().min(1)).min(1).default(DEFAULT_OKTA_SCOPES),
      })
      .optional()
      .meta({
        description: 'OAuth 2.0 service app (private_key_jwt). Exactly one of token or oauth.',
      }),
    eventHook: z
      .strictObject({ secret: secretSchema })
      .optional()
      .meta({ description: 'Event hook: the Authorization header value Okta sends.' }),
    poll: z
      .strictObject({
        enabled: z.boolean().default(true),
        interval: interval('30s', 1000),
      })
      .prefault({}),
    maxConcurrency: z.int().min(1).max(75).default(8).meta({
      description:
        'Okta requests in flight at once. Okta’s limit is 75 for the whole org (35 on Integrator Free), shared with every other integration; raise this with reconcile.workers.',
    }),
  })
  // Runs even when other okta keys failed; it only looks at whether the two keys are present.
  .superRefine(
    (okta, ctx) => {
      if ((okta.token === undefined) === (okta.oauth === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message:
            okta.token === undefined
              ? 'expected exactly one of token or oauth, found neither'
              : 'expected exactly one of token or oauth, found both',
        });
      }
    },
    { when: whenObject },
  );

// ---- aws ----------------------------------------------------------------------------------

const rate = z.number().positive().max(10_000);

const awsSchema = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, { error: 'expected an AWS region such as us-east-1' })
    .optional()
    .meta({ description: "The Identity Center home region; else the SDK's default (AWS_REGION)." }),
  instanceArn: idString(InstanceArn)
    .optional()
    .meta({ description: 'Optional when the organisation has exactly one instance.' }),
  endpoint: httpUrl
    .optional()
    .meta({ description: 'One endpoint for every AWS service (simulators, tests).' }),
  assumeRoleArn: idString(RoleArn)
    .optional()
    .meta({ description: 'Role to assume first; else the default credential chain.' }),
  rateLimit: z
    .strictObject({
      ssoAdmin: rate.default(20),
      identityStore: rate.default(20),
      organizations: rate.default(20),
      iam: rate.default(20),
      sts: rate.default(20),
    })
    .prefault({})
    .meta({ description: 'Requests per second per service, shared by every caller.' }),
  discovery: z
    .strictObject({
      memberRoleName: z
        .string()
        .regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected an IAM role name' })
        .default('OrganizationAccountAccessRole'),
      inspectIam: z.boolean().default(true),
    })
    .prefault({}),
});

// ---- store, server, reconcile, safety -----------------------------------------------------

/** The store URL: `sqlite:PATH` (`sqlite::memory:`) or `postgres://…` / `postgresql://…`. */
const STORE_URL_PATTERN = /^(?:sqlite:.+|postgres(?:ql)?:\/\/.+)$/;

const storeSchema = z
  .string()
  .regex(STORE_URL_PATTERN, { error: 'expected a store URL sqlite:PATH or postgres://…' })
  .default('sqlite:./data/okta-aws-sync.db')
  .meta({
    description:
      'sqlite:PATH (relative to the config file) or postgres://user@host:5432/db; a password only through a reference.',
  });

const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65_535).default(8080),
  apiToken: secretSchema
    .optional()
    .meta({ description: 'Bearer token that /api/v1 requires (a reference).' }),
});

const reconcileSchema = z.strictObject({
  fullInterval: interval('15m', 60_000),
  workers: z.int().min(1).max(64).default(4),
  keysPerSecond: z.number().positive().max(10_000).default(20).meta({
    description:
      'Keys the workers may start per second (a global token bucket with an equal burst). The default suits AWS’s 20 requests/s per service.',
  }),
  membershipSettle: interval('2s', 0).meta({
    description:
      'How long a membership event’s group key waits before it runs, so that a burst of membership changes to one group is swept by one group read; the user key, which decides the user’s access, runs at once. 0s runs it at once. Default 2s.',
  }),
});

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(TAG_CHARS, { error: 'expected a tag key of letters, digits, spaces and _.:/=+-@' })
  .refine((key) => !key.toLowerCase().startsWith('aws:'), {
    error: 'expected a tag key not starting with aws: (reserved by AWS)',
  });
const tagValue = z
  .string()
  .max(256)
  .regex(TAG_CHARS, { error: 'expected a tag value of letters, digits, spaces and _.:/=+-@' });

const safetySchema = z.strictObject({
  maxDeletes: z.int().min(0).default(25),
  protected: z
    .strictObject({
      accounts: z.array(idString(AccountId)).default([]),
      permissionSets: z.array(idString(PermissionSetName)).default([]),
      principals: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  allowManagementAccount: z.boolean().default(false),
  ownershipTag: z
    .strictObject({ key: tagKey, value: tagValue })
    .default({ ...DEFAULT_OWNERSHIP_TAG }),
});

// ---- permission-set templates -------------------------------------------------------------

/** AWS's limits for one permission set (aws-identity-center.md §3, §7). */
export const PermissionSetLimits = {
  descriptionLength: 700,
  relayStateLength: 240,
  inlinePolicyLength: 32_768,
  /** IAM's limit on an inline role policy, which the provisioned role must satisfy. */
  inlinePolicyNonWhitespace: 10_240,
  /** AWS managed + customer managed policies together. */
  attachedPolicies: 20,
  /** Tags per resource, including the ownership tag the tool adds. */
  tags: 50,
  minSessionSeconds: 3600,
  maxSessionSeconds: 43_200,
} as const;

// The sso-admin model's character classes; tab, LF and CR are allowed on purpose.
// eslint-disable-next-line no-control-regex
const DESCRIPTION_CHARS = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;
const RELAY_STATE_CHARS = /^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+[\] (){}]+$/;
// eslint-disable-next-line no-control-regex
const POLICY_CHARS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

const customerManagedPolicySchema = z.strictObject({
  name: z
    .string()
    .regex(/^[\w+=,.@-]{1,128}$/, { error: 'expected a policy name of 1-128 [A-Za-z0-9_+=,.@-]' }),
  path: z
    .string()
    .max(512)
    .regex(/^(?:\/[A-Za-z0-9.,+@=_-]+)*\/$/, { error: 'expected a path such as / or /team/' })
    .default('/'),
});

/** Why a policy text is not acceptable to sso-admin, or undefined when it is. */
export function policyDocumentProblem(text: string): string | undefined {
  const { inlinePolicyLength, inlinePolicyNonWhitespace } = PermissionSetLimits;
  if (text.length > inlinePolicyLength) {
    return `expected a policy document of at most ${inlinePolicyLength} characters, found ${text.length}`;
  }
  const nonWhitespace = text.replace(/\s/g, '').length;
  if (nonWhitespace > inlinePolicyNonWhitespace) {
    return `expected a policy document of at most ${inlinePolicyNonWhitespace} non-whitespace characters (IAM's inline role policy limit), found ${nonWhitespace}`;
  }
  if (!POLICY_CHARS.test(text)) {
    return 'expected a policy document of characters U+0009, U+000A, U+000D and U+0020-U+00FF, found others';
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `expected a JSON policy document, found text that is not JSON (${reason})`;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return `expected a JSON policy document (an object with Version and Statement), found ${Array.isArray(document) ? 'a list' : typeof document}`;
  }
  const { Version: version, Statement: statement } = document as Record<string, unknown>;
  if (version !== '2012-10-17' && version !== '2008-10-17') {
    return `expected a policy document with Version "2012-10-17", found ${version === undefined ? 'no Version' : JSON.stringify(version)}`;
  }
  const statementOk =
    (Array.isArray(statement) && statement.length > 0) ||
    (typeof statement === 'object' && statement !== null);
  if (!statementOk) {
    return `expected a policy document with a Statement (an object or a list), found ${statement === undefined ? 'none' : JSON.stringify(statement)}`;
  }
  return undefined;
}

const inlinePolicySchema = z
  .union([z.string(), z.record(z.string(), z.unknown())], {
    error: 'expected a policy file path, JSON text or a mapping',
  })
  .transform((value, ctx) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const problem = policyDocumentProblem(text);
    if (problem) ctx.issues.push({ code: 'custom', input: value, message: problem });
    return text;
  })
  .meta({
    description:
      'A policy document: a path to a .json file (relative to the config file), JSON text, or a mapping.',
  });

const boundarySchema = z
  .strictObject({
    managedPolicyArn: idString(ManagedPolicyArn).optional(),
    customerManagedPolicy: customerManagedPolicySchema.optional(),
  })
  .superRefine(
    (boundary, ctx) => {
      const given = [boundary.managedPolicyArn, boundary.customerManagedPolicy];
      if (given.filter((value) => value !== undefined).length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected exactly one of managedPolicyArn or customerManagedPolicy',
        });
      }
    },
    { when: whenObject },
  );

const permissionSetTemplateSchema = z
  .strictObject({
    description: z
      .string()
      .min(1)
      .max(PermissionSetLimits.descriptionLength)
      .regex(DESCRIPTION_CHARS, {
        error:
          'expected a description of characters U+0009, U+000A, U+000D, U+0020-U+007E and U+00A1-U+00FF',
      })
      .optional(),
    sessionDuration: z
      .string()
      .refine(
        (text) => {
          const seconds = isoDurationSeconds(text);
          return (
            seconds !== undefined &&
            seconds >= PermissionSetLimits.minSessionSeconds &&
            seconds <= PermissionSetLimits.maxSessionSeconds
          );
        },
        { error: 'expected an ISO-8601 duration from PT1H to PT12H' },
      )
      .optional(),
    relayState: z
      .string()
      .min(1)
      .max(PermissionSetLimits.relayStateLength)
      .regex(RELAY_STATE_CHARS, { error: 'expected a relay state URL' })
      .optional(),
    managedPolicies: z.array(idString(ManagedPolicyArn)).default([]),
    customerManagedPolicies: z.array(customerManagedPolicySchema).default([]),
    inlinePolicy: inlinePolicySchema.optional(),
    permissionsBoundary: boundarySchema.optional(),
    tags: z.record(tagKey, tagValue).default({}),
  })
  // Counts are checked even when an entry is malformed (reported on its own), so a template's
  // problems come out together; the value may then be partly unparsed.
  .superRefine(
    (template, ctx) => {
      const length = (value: unknown): number => (Array.isArray(value) ? value.length : 0);
      const attached = length(template.managedPolicies) + length(template.customerManagedPolicies);
      if (attached > PermissionSetLimits.attachedPolicies) {
        ctx.addIssue({
          code: 'custom',
          path: ['managedPolicies'],
          message: `expected at most ${PermissionSetLimits.attachedPolicies} managed and customer-managed policies together, found ${attached}`,
        });
      }
      const tags: unknown = template.tags;
      const tagCount = typeof tags === 'object' && tags !== null ? Object.keys(tags).length : 0;
      if (tagCount > PermissionSetLimits.tags - 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags'],
          message: `expected at most ${PermissionSetLimits.tags - 1} tags (AWS allows ${PermissionSetLimits.tags}, one is the ownership tag), found ${tagCount}`,
        });
      }
    },
    { when: whenObject },
  );

// ---- rules --------------------------------------------------------------------------------

const ACCOUNT_SELECTOR_EXPECTED =
  'expected "all", a 12-digit account id, a {capture} template, { ou, recursive } or { tags }';

const accountSelectorObjectSchema = z.union(
  [
    z.strictObject({
      ou: idString(OrganizationalUnitId),
      recursive: z.boolean().default(true),
    }),
    z.strictObject({
      tags: z
        .record(z.string().min(1), z.string())
        .refine((tags) => Object.keys(tags).length > 0, { error: 'expected at least one tag' }),
    }),
  ],
  { error: ACCOUNT_SELECTOR_EXPECTED },
);

const accountEntrySchema = z.union(
  [
    z.string().meta({ description: '"all", a 12-digit account id, or a {capture} template.' }),
    accountSelectorObjectSchema,
  ],
  { error: ACCOUNT_SELECTOR_EXPECTED },
);

const ruleSchema = z
  .strictObject({
    name: z.string().min(1),
    groups: z
      .strictObject({
        names: z.array(z.string().min(1)).min(1).optional(),
        ids: z.array(idString(OktaGroupId)).min(1).optional(),
        namePattern: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'A JavaScript regex; named captures feed {capture} placeholders.' }),
      })
      .meta({ description: 'Exactly one of names, ids or namePattern.' }),
    permissionSet: z.string().min(1),
    template: z.string().min(1).optional(),
    accounts: z.union([accountEntrySchema, z.array(accountEntrySchema)], {
      error: `${ACCOUNT_SELECTOR_EXPECTED}, or a list of them`,
    }),
    assign: z.enum(AssignModes),
  })
  // Runs even when other parts of the rule failed (compileRule checks only well-typed parts),
  // so a rule's problems come out together.
  .superRefine(
    (rule, ctx) => {
      const compiled = compileRule(rule);
      if (compiled.ok) return;
      for (const problem of compiled.problems) {
        ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
      }
    },
    { when: whenObject },
  );

// ---- the whole file -----------------------------------------------------------------------

export const configSchema = z
  .strictObject({
    okta: oktaSchema,
    aws: awsSchema.prefault({}),
    store: storeSchema,
    server: serverSchema.prefault({}),
    reconcile: reconcileSchema.prefault({}),
    safety: safetySchema.prefault({}),
    // Template names are checked in checkCrossReferences: a key schema here would stop zod
    // from validating the template under a bad name, hiding its problems.
    permissionSets: z
      .record(z.string(), permissionSetTemplateSchema)
      .default({})
      .meta({
        description: 'Permission-set templates by permission set name.',
        propertyNames: { pattern: PermissionSetName.pattern.source, maxLength: 32 },
      }),
    rules: z.array(ruleSchema).default([]),
  })
  // The loader drops top-level `x-…` keys (anchors for YAML merge keys) before validation.
  .meta({ patternProperties: { '^x-': {} } })
  .superRefine(checkCrossReferences, { when: () => true });

/**
 * Checks that need the whole document: rule names unique, `template` (or a literal
 * `permissionSet` without one) names a key of `permissionSets`, templates do not set the
 * ownership tag. It runs even when other parts failed, so all problems come out at once; hence
 * it reads the value defensively.
 */
function checkCrossReferences(value: unknown, ctx: z.RefinementCtx): void {
  const config = asRecord(value);
  const templates = asRecord(config?.permissionSets) ?? {};
  const rules = Array.isArray(config?.rules) ? (config.rules as unknown[]) : [];
  const seen = new Set<string>();
  rules.forEach((raw, index) => {
    const rule = asRecord(raw);
    if (!rule) return;
    if (typeof rule.name === 'string') {
      if (seen.has(rule.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `expected a unique rule name, found "${rule.name}" a second time`,
        });
      }
      seen.add(rule.name);
    }
    if (typeof rule.template === 'string') {
      if (!Object.hasOwn(templates, rule.template)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'template'],
          message: `expected the name of a permissionSets template (${known(templates)}), found "${rule.template}"`,
        });
      }
    } else if (rule.template === undefined && typeof rule.permissionSet === 'string') {
      // With {capture} placeholders and no template, the resolved name chooses the template
      // (aws#alias#<Role>#account → template <Role>); the planner reports a name without one.
      if (!rule.permissionSet.includes('{') && !Object.hasOwn(templates, rule.permissionSet)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'permissionSet'],
          message: `expected the name of a permissionSets template when the rule has no template (${known(templates)}), found "${rule.permissionSet}"`,
        });
      }
    }
  });
  for (const name of Object.keys(templates)) {
    if (!PermissionSetName.is(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['permissionSets', name],
        params: { atKey: true },
        message: `expected a permission set name of ${PermissionSetName.expected}, found "${name}"`,
      });
    }
  }
  const ownershipKey =
    asRecord(asRecord(config?.safety)?.ownershipTag)?.key ?? DEFAULT_OWNERSHIP_TAG.key;
  for (const [name, template] of Object.entries(templates)) {
    const tags = asRecord(asRecord(template)?.tags);
    if (tags && typeof ownershipKey === 'string' && Object.hasOwn(tags, ownershipKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['permissionSets', name, 'tags', ownershipKey],
        message: `the tool sets its ownership tag "${ownershipKey}" itself; remove it here`,
      });
    }
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function known(templates: Record<string, unknown>): string {
  const names = Object.keys(templates);
  return names.length > 0 ? `one of ${names.join(', ')}` : 'none are defined';
}

/** The validated config. Secrets are `Secret`s; intervals are milliseconds. */
export type Config = z.output<typeof configSchema>;
/** The config as written (after references are resolved), before defaults. */
export type ConfigInput = z.input<typeof configSchema>;
export type RuleConfig = z.output<typeof ruleSchema>;
export type PermissionSetTemplateConfig = z.output<typeof permissionSetTemplateSchema>;

/**
 * The JSON Schema (draft 2020-12) of the config file as written, for editors. Secrets appear as
 * strings that must be references; intervals and policies in their written forms.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === secretSchema) {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.pattern = REFERENCE_PATTERN.source;
      } else if (ctx.zodSchema === privateKeySchema) {
        ctx.jsonSchema.type = 'string';
      }
    },
  });
  return { ...schema, title: 'okta-aws-sync config' };
}

/**
 * The keys a mapping at `at` may have, walking the schema (through optional, default, pipe,
 * record, list and union wrappers), for "did you mean" hints. Empty when unknown.
 */
export function knownKeysAt(at: readonly (string | number)[]): string[] {
  let current: z.core.$ZodType[] = [configSchema];
  for (const segment of [...at, undefined]) {
    const next: z.core.$ZodType[] = [];
    const keys = new Set<string>();
    const visit = (schema: z.core.$ZodType): void => {
      const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
      switch (def.type) {
        case 'optional':
        case 'nullable':
        case 'default':
        case 'prefault':
        case 'readonly':
          visit(def.innerType as z.core.$ZodType);
          return;
        case 'pipe':
          visit(def.in as z.core.$ZodType);
          return;
        case 'union':
          for (const option of def.options as z.core.$ZodType[]) visit(option);
          return;
        case 'object': {
          const shape = def.shape as Record<string, z.core.$ZodType>;
          if (segment === undefined) Object.keys(shape).forEach((key) => keys.add(key));
          else if (typeof segment === 'string' && shape[segment]) next.push(shape[segment]);
          return;
        }
        case 'record':
          if (segment !== undefined) next.push(def.valueType as z.core.$ZodType);
          return;
        case 'array':
          if (typeof segment === 'number') next.push(def.element as z.core.$ZodType);
          return;
        default:
          return;
      }
    };
    current.forEach(visit);
    if (segment === undefined) return [...keys];
    current = next;
  }
  return [];
}
