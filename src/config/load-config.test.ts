import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { loadConfig, loadConfigFrom, parseConfigText } from './load-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-config-'));
  await mkdir(path.join(dir, 'policies'));
  await writeFile(path.join(dir, 'policies', 'ok.json'), VALID_POLICY);
  await writeFile(path.join(dir, 'policies', 'not-json.json'), '{ "Version": "2012-10-17", oops');
  await writeFile(path.join(dir, 'okta-token.txt'), `${FILE_SECRET}\n`);
  await writeFile(path.join(dir, 'key.pem'), PEM);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VALID_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
});
const LARGE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: { Effect: 'Deny', Action: '*', Resource: '*', Sid: 'x'.repeat(33_000) },
});
const ENV_SECRET = 'env-secret-c0ffee-do-not-print';
const FILE_SECRET = 'file-secret-beef-do-not-print';
const PEM = '-----BEGIN PRIVATE KEY-----\nkey-material-do-not-print\n-----END PRIVATE KEY-----';
const ENV = { OKTA_API_TOKEN: ENV_SECRET, HOOK_SECRET: `${ENV_SECRET}-hook` };

/** Lines of a config; tests address problems by these line numbers. */
function doc(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

const OKTA = ['okta:', '  orgUrl: https://example.okta.com', '  token: ${env:OKTA_API_TOKEN}'];
const TEMPLATES = [
  'permissionSets:',
  '  ReadOnly:',
  '    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]',
];
/** A valid rule whose lines can be replaced one by one (rule line 0 is "  - name: r"). */
function rule(
  overrides: Partial<
    Record<'groups' | 'permissionSet' | 'accounts' | 'assign' | 'template', string>
  > = {},
): string[] {
  const lines = [
    '  - name: r',
    `    groups: ${overrides.groups ?? '{ names: [aws-readonly] }'}`,
    `    permissionSet: ${overrides.permissionSet ?? 'ReadOnly'}`,
    `    accounts: ${overrides.accounts ?? 'all'}`,
    `    assign: ${overrides.assign ?? 'GROUP'}`,
  ];
  if (overrides.template) lines.push(`    template: ${overrides.template}`);
  return lines;
}

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Loads text as a config file and returns its problems (without the file name prefix). */
async function problemsOf(text: string, env: Record<string, string> = ENV): Promise<string[]> {
  const file = await write(`case-${Math.random().toString(36).slice(2)}.yaml`, text);
  try {
    await loadConfig(file, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const problem of problems) expect(problem.startsWith(`${file}:`)).toBe(true);
    return problems.map((problem) => problem.slice(file.length + 1));
  }
  throw new Error('expected the config to be rejected');
}

describe('loadConfig: file-level failures', () => {
  it('a missing file is a one-line UsageError', async () => {
    const missing = path.join(dir, 'nope.yaml');
    const error = await loadConfig(missing, { env: ENV }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`cannot read config file ${missing}: no such file`);
  });

  it('unreadable YAML is a one-line ConfigError naming line and column', async () => {
    const file = await write('broken.yaml', doc('okta:', '  orgUrl: [unclosed', 'rules: []'));
    const error = await loadConfig(file, { env: ENV }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([]);
    expect((error as Error).message).toMatch(new RegExp(`^${file}:\\d+:\\d+: invalid YAML: `));
    expect((error as Error).message).not.toContain('\n');
  });

  it('duplicate keys are unreadable YAML', async () => {
    const file = await write('dup.yaml', doc('store: sqlite:a.db', 'store: sqlite:b.db'));
    const error = await loadConfig(file, { env: ENV }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/dup\.yaml:2:1: invalid YAML: .*unique/i);
  });

  it('an empty document says what the top level must be', async () => {
    const file = await write('empty.yaml', '# nothing\n');
    const error = await loadConfig(file, { env: ENV }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('expected a mapping');
  });
});

/**
 * One row per kind of mistake: the config and the exact problems, as
 * `line:column: path: message` (message as a regex source).
 */
const MISTAKES: {
  name: string;
  text: string;
  /** Exact text, or a RegExp where part of the message comes from elsewhere (the JS engine). */
  problems: (string | RegExp)[];
  env?: Record<string, string>;
}[] = [
  {
    name: 'unknown key',
    text: doc(...OKTA, '  tokn: x', ...TEMPLATES, 'rules:', ...rule()),
    problems: ['4:3: okta.tokn: unknown key "tokn" (did you mean "token"?)'],
  },
  {
    name: 'Okta concurrency above the org-wide limit',
    text: doc(...OKTA, '  maxConcurrency: 100', ...TEMPLATES, 'rules:', ...rule()),
    problems: ['4:19: okta.maxConcurrency: expected a number at most 75, found 100'],
  },
  {
    name: 'wrong type',
    text: doc(...OKTA, 'server: { port: eighty }', ...TEMPLATES, 'rules:', ...rule()),
    problems: ['4:17: server.port: expected a number, found "eighty"'],
  },
  {
    name: 'missing required key',
    text: doc('okta:', '  token: ${env:OKTA_API_TOKEN}'),
    problems: ['2:3: okta.orgUrl: missing: expected a string'],
  },
  {
    name: 'bad regex',
    text: doc(
      ...OKTA,
      ...TEMPLATES,
      'rules:',
      ...rule({ groups: "{ namePattern: '^aws-(?<x>' }" }),
    ),
    problems: [
      /^9:28: rules\[0\]\.groups\.namePattern: expected a JavaScript regular expression, found an invalid one: Invalid regular expression: .*Unterminated group$/,
    ],
  },
  {
    name: 'placeholder with no such capture',
    text: doc(
      ...OKTA,
      ...TEMPLATES,
      'rules:',
      ...rule({
        groups: "{ namePattern: '^aws-(?<team>[a-z]+)$' }",
        permissionSet: "'{role}'",
        template: 'ReadOnly',
      }),
    ),
    problems: [
      '10:20: rules[0].permissionSet: placeholder {role} refers to no named capture of groups.namePattern (captures: {team})',
    ],
  },
  {
    name: 'placeholder without a name pattern',
    text: doc(...OKTA, ...TEMPLATES, 'rules:', ...rule({ accounts: "['{account}']" })),
    problems: [
      '11:16: rules[0].accounts[0]: placeholder {account} needs groups.namePattern with a named capture (?<account>…), but the rule has no name pattern',
    ],
  },
  {
    name: 'groups with two kinds',
    text: doc(
      ...OKTA,
      ...TEMPLATES,
      'rules:',
      ...rule({ groups: '{ names: [a], namePattern: b }' }),
    ),
    problems: [
      '9:13: rules[0].groups: expected exactly one of names, ids or namePattern, found names and namePattern',
    ],
  },
  {
    name: 'bad account selector',
    text: doc(
      ...OKTA,
      ...TEMPLATES,
      'rules:',
      ...rule({ accounts: "['1234', { ou: ou-x }, { tag: {} }]" }),
    ),
    problems: [
      '11:16: rules[0].accounts[0]: expected a 12-digit account id, a {capture} template, "all", { ou, recursive } or { tags }, found "1234"',
      '11:30: rules[0].accounts[1].ou: expected ou-<4-32 chars>-<8-32 chars>, lowercase letters or digits, found "ou-x"',
      '11:38: rules[0].accounts[2]: expected "all", a 12-digit account id, a {capture} template, { ou, recursive } or { tags }, found a mapping (keys: tag)',
    ],
  },
  {
    name: 'bad assign',
    text: doc(...OKTA, ...TEMPLATES, 'rules:', ...rule({ assign: 'USERS' })),
    problems: ['12:13: rules[0].assign: expected "USER" or "GROUP", found "USERS"'],
  },
  {
    name: 'unknown template',
    text: doc(...OKTA, ...TEMPLATES, 'rules:', ...rule({ template: 'ReadOnlyy' })),
    problems: [
      '13:15: rules[0].template: expected the name of a permissionSets template (one of ReadOnly), found "ReadOnlyy"',
    ],
  },
  {
    name: 'rule naming a permission set that is not a template',
    text: doc(...OKTA, ...TEMPLATES, 'rules:', ...rule({ permissionSet: 'Admin' })),
    problems: [
      '10:20: rules[0].permissionSet: expected the name of a permissionSets template when the rule has no template (one of ReadOnly), found "Admin"',
    ],
  },
  {
    name: 'permission set name too long',
    text: doc(...OKTA, 'permissionSets:', `  ${'A'.repeat(33)}: {}`),
    problems: [
      `5:3: permissionSets.${'A'.repeat(33)}: expected a permission set name of 1-32 characters from [A-Za-z0-9_+=,.@-], found "${'A'.repeat(33)}"`,
    ],
  },
  {
    name: 'session duration out of range',
    text: doc(...OKTA, ...TEMPLATES, '    sessionDuration: PT13H'),
    problems: [
      '7:22: permissionSets.ReadOnly.sessionDuration: expected an ISO-8601 duration from PT1H to PT12H, found "PT13H"',
    ],
  },
  {
    name: 'session duration not ISO-8601',
    text: doc(...OKTA, ...TEMPLATES, '    sessionDuration: 4h'),
    problems: [
      '7:22: permissionSets.ReadOnly.sessionDuration: expected an ISO-8601 duration from PT1H to PT12H, found "4h"',
    ],
  },
  {
    name: 'description too long',
    text: doc(...OKTA, ...TEMPLATES, `    description: ${'d'.repeat(701)}`),
    problems: [
      '7:18: permissionSets.ReadOnly.description: expected at most 700 characters, found 701',
    ],
  },
  {
    name: 'inline policy file not JSON',
    text: doc(...OKTA, ...TEMPLATES, '    inlinePolicy: policies/not-json.json'),
    problems: [
      /^7:19: permissionSets\.ReadOnly\.inlinePolicy: expected a JSON policy document, found text that is not JSON \(.+\)$/,
    ],
  },
  {
    name: 'inline policy without Statement',
    text: doc(...OKTA, ...TEMPLATES, "    inlinePolicy: { Version: '2012-10-17' }"),
    problems: [
      '7:19: permissionSets.ReadOnly.inlinePolicy: expected a policy document with a Statement (an object or a list), found none',
    ],
  },
  {
    name: 'inline policy too large',
    text: doc(...OKTA, ...TEMPLATES, `    inlinePolicy: '${LARGE_POLICY}'`),
    problems: [
      `7:19: permissionSets.ReadOnly.inlinePolicy: expected a policy document of at most 32768 characters, found ${LARGE_POLICY.length}`,
    ],
  },
  {
    name: 'inline policy file missing',
    text: doc(...OKTA, ...TEMPLATES, '    inlinePolicy: policies/missing.json'),
    problems: [
      '7:19: permissionSets.ReadOnly.inlinePolicy: cannot read policy file policies/missing.json: no such file',
    ],
  },
  {
    name: 'bad managed policy ARN',
    text: doc(
      ...OKTA,
      'permissionSets:',
      '  ReadOnly:',
      '    managedPolicies: [arn:aws:iam::123456789012:policy/Mine]',
    ),
    problems: [
      '6:23: permissionSets.ReadOnly.managedPolicies[0]: expected arn:aws:iam::aws:policy/<optional path/>name, found "arn:aws:iam::123456789012:policy/Mine"',
    ],
  },
  {
    name: 'too many policies (managed + customer managed)',
    text: doc(
      ...OKTA,
      'permissionSets:',
      '  ReadOnly:',
      `    managedPolicies: [${Array.from({ length: 15 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join(', ')}]`,
      `    customerManagedPolicies: [${Array.from({ length: 6 }, (_, i) => `{ name: C${i} }`).join(', ')}]`,
    ),
    problems: [
      '6:22: permissionSets.ReadOnly.managedPolicies: expected at most 20 managed and customer-managed policies together, found 21',
    ],
  },
  {
    name: 'too many policies, one of them malformed too',
    text: doc(
      ...OKTA,
      'permissionSets:',
      '  ReadOnly:',
      `    managedPolicies: [bad, ${Array.from({ length: 20 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join(', ')}]`,
      '    permissionsBoundary: {}',
    ),
    problems: [
      '6:22: permissionSets.ReadOnly.managedPolicies: expected at most 20 managed and customer-managed policies together, found 21',
      '6:23: permissionSets.ReadOnly.managedPolicies[0]: expected arn:aws:iam::aws:policy/<optional path/>name, found "bad"',
      '7:26: permissionSets.ReadOnly.permissionsBoundary: expected exactly one of managedPolicyArn or customerManagedPolicy, found an empty mapping',
    ],
  },
  {
    name: 'too many tags',
    text: doc(
      ...OKTA,
      ...TEMPLATES,
      `    tags: { ${Array.from({ length: 50 }, (_, i) => `k${i}: v`).join(', ')} }`,
    ),
    problems: [
      '7:11: permissionSets.ReadOnly.tags: expected at most 49 tags (AWS allows 50, one is the ownership tag), found 50',
    ],
  },
  {
    name: 'template setting the ownership tag',
    text: doc(...OKTA, ...TEMPLATES, '    tags: { managed-by: me }'),
    problems: [
      '7:25: permissionSets.ReadOnly.tags["managed-by"]: the tool sets its ownership tag "managed-by" itself; remove it here',
    ],
  },
  {
    name: 'literal secret',
    text: doc('okta:', '  orgUrl: https://example.okta.com', '  token: 00abcLiteralToken'),
    problems: ['3:10: okta.token: must be a ${env:…} or ${file:…} reference, found a literal'],
  },
  {
    name: 'literal private key',
    text: doc(
      'okta:',
      '  orgUrl: https://example.okta.com',
      '  oauth:',
      '    clientId: 0oa1',
      `    privateKeyFile: ${JSON.stringify(PEM)}`,
    ),
    problems: [
      '5:21: okta.oauth.privateKeyFile: must be a ${env:…} or ${file:…} reference or a path to a key file, found a literal key',
    ],
  },
  {
    name: 'literal password in the store URL',
    text: doc(...OKTA, 'store: postgres://app:hunter2@db:5432/sync'),
    problems: [
      '4:8: store: the password in the store URL must be a ${env:…} or ${file:…} reference, found a literal (or leave it out and set PGPASSWORD)',
    ],
  },
  {
    name: 'missing env var',
    text: doc('okta:', '  orgUrl: https://example.okta.com', '  token: ${env:NOT_SET}'),
    problems: [
      '3:10: okta.token: environment variable NOT_SET is not set (referenced as ${env:NOT_SET})',
    ],
  },
  {
    name: 'secret reference resolving to nothing',
    text: doc('okta:', '  orgUrl: https://example.okta.com', '  token: ${env:EMPTY}'),
    env: { EMPTY: '' },
    problems: ['3:10: okta.token: ${env:EMPTY} is empty; a secret is expected'],
  },
  {
    name: 'unreadable file reference',
    text: doc('okta:', '  orgUrl: https://example.okta.com', '  token: ${file:secrets/none.txt}'),
    problems: [
      '3:10: okta.token: cannot read file secrets/none.txt (referenced as ${file:secrets/none.txt}): no such file',
    ],
  },
  {
    name: 'neither token nor oauth',
    text: doc('okta:', '  orgUrl: https://example.okta.com'),
    problems: ['2:3: okta: expected exactly one of token or oauth, found neither'],
  },
  {
    name: 'bad instance ARN',
    text: doc(...OKTA, 'aws:', '  instanceArn: arn:aws:sso:::instance/ssoins-123'),
    problems: [
      /^5:16: aws\.instanceArn: expected arn:<partition>:sso:::instance\/ssoins-<16 characters> .*, found "arn:aws:sso:::instance\/ssoins-123"$/,
    ],
  },
  {
    name: 'bad protected account id',
    text: doc(...OKTA, 'safety:', '  protected: { accounts: [012345678901] }'),
    problems: [
      '5:27: safety.protected.accounts[0]: expected a string, found 12345678901 (quote it: YAML reads unquoted digits as a number and drops leading zeros)',
    ],
  },
  {
    name: 'bad store URL',
    text: doc(...OKTA, 'store: mysql://db/sync'),
    problems: [
      '4:8: store: expected a store URL sqlite:PATH or postgres://…, found "mysql://db/sync"',
    ],
  },
  {
    name: 'bad interval',
    text: doc(...OKTA, '  poll: { interval: 30 seconds }'),
    problems: [
      '4:21: okta.poll.interval: expected an interval such as 30s, 5m or 1h30m, found "30 seconds"',
    ],
  },
  {
    name: 'duplicate rule names',
    text: doc(...OKTA, ...TEMPLATES, 'rules:', ...rule(), ...rule()),
    problems: ['13:11: rules[1].name: expected a unique rule name, found "r" a second time'],
  },
];

describe('loadConfig: one row per kind of mistake', () => {
  it('suggests the key meant, or lists the keys allowed', async () => {
    const problems = await problemsOf(
      doc(
        ...OKTA,
        'aws: { discovery: { memberRole: x }, regoin: us-east-1, zzz: 1 }',
        ...TEMPLATES,
        '    descripton: x',
      ),
    );
    expect(problems).toEqual([
      '4:21: aws.discovery.memberRole: unknown key "memberRole" (did you mean "memberRoleName"?)',
      '4:38: aws.regoin: unknown key "regoin" (did you mean "region"?)',
      '4:57: aws.zzz: unknown key "zzz" (expected one of region, instanceArn, endpoint, assumeRoleArn, rateLimit, discovery)',
      '8:5: permissionSets.ReadOnly.descripton: unknown key "descripton" (did you mean "description"?)',
    ]);
  });

  it.each(MISTAKES)('$name', async ({ text, problems: expected, env }) => {
    const problems = await problemsOf(text, env);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((want, index) => {
      if (typeof want === 'string') expect(problems[index]).toBe(want);
      else expect(problems[index]).toMatch(want);
    });
  });

  it('reports every problem at once, in source order, each at its line and column', async () => {
    const problems = await problemsOf(
      doc(
        'okta:',
        '  orgUrl: ftp://example.okta.com',
        '  token: literal-token',
        'aws:',
        '  region: 42',
        'store: redis://x',
        'permissionSets:',
        '  ReadOnly:',
        '    sessionDuration: PT30M',
        'rules:',
        '  - name: r',
        "    groups: { namePattern: '^(?<a>x)$' }",
        "    permissionSet: '{b}'",
        '    template: ReadOnly',
        '    accounts: all',
        '    assign: group',
      ),
    );
    expect(problems.map((p) => p.split(': ')[0])).toEqual([
      '2:11',
      '3:10',
      '5:11',
      '6:8',
      '9:22',
      '13:20',
      '16:13',
    ]);
    expect(problems.map((p) => p.split(': ')[1])).toEqual([
      'okta.orgUrl',
      'okta.token',
      'aws.region',
      'store',
      'permissionSets.ReadOnly.sessionDuration',
      'rules[0].permissionSet',
      'rules[0].assign',
    ]);
  });
});

describe('loadConfig: the happy path', () => {
  it('loads the shipped example and compiles its rules', async () => {
    const example = path.resolve(import.meta.dirname, '../../examples/okta-aws-sync.yaml');
    const loaded = await loadConfig(example, { env: {} });
    const { config, policy } = loaded;
    expect(config.okta.token).toBeInstanceOf(Secret);
    expect(config.okta.token?.reveal()).toBe('example-okta-api-token-not-a-real-token');
    expect(config.okta.poll).toEqual({ enabled: true, interval: 30_000 });
    expect(config.okta.maxConcurrency).toBe(8);
    expect(config.reconcile).toEqual({
      fullInterval: 900_000,
      workers: 4,
      keysPerSecond: 20,
      membershipSettle: 2_000,
    });
    expect(config.aws.discovery.memberRoleName).toBe('OrganizationAccountAccessRole');
    expect(config.store).toBe(
      `sqlite:${path.resolve(path.dirname(example), 'data/okta-aws-sync.db')}`,
    );
    expect(policy.rules.map((r) => r.name)).toEqual([
      'per-account-groups',
      'readonly-prod',
      'platform-admins',
    ]);
    const [perAccount, readonlyProd, admins] = policy.rules;
    expect(perAccount?.groups.kind).toBe('pattern');
    if (perAccount?.groups.kind !== 'pattern') throw new Error('unreachable');
    expect(perAccount.groups.captureNames).toEqual(['alias', 'permissionSet', 'account']);
    expect(perAccount.groups.pattern.exec('aws#prod#ReadOnly#123456789012')?.groups).toEqual({
      alias: 'prod',
      permissionSet: 'ReadOnly',
      account: '123456789012',
    });
    expect(perAccount.permissionSet).toEqual({
      source: '{permissionSet}',
      placeholders: ['permissionSet'],
    });
    expect(perAccount.accounts).toEqual([
      { kind: 'ids', ids: [{ source: '{account}', placeholders: ['account'] }] },
    ]);
    expect(perAccount.template).toBe('ReadOnly');
    expect(readonlyProd?.accounts).toEqual([
      { kind: 'ou', ou: 'ou-ab12-34567890', recursive: true },
    ]);
    expect(readonlyProd?.template).toBeUndefined();
    expect(admins?.accounts).toEqual([{ kind: 'tags', tags: { env: 'sandbox' } }]);
    const readOnly = policy.templates.ReadOnly;
    expect(readOnly?.sessionDuration).toBe('PT4H');
    expect(JSON.parse(readOnly?.inlinePolicy ?? '')).toMatchObject({ Version: '2012-10-17' });
    expect(readOnly?.tags).toEqual({ team: 'platform' });
    expect(policy.ownershipTag).toEqual({ key: 'managed-by', value: 'okta-aws-sync' });
    expect(policy.safety).toEqual({
      maxDeletes: 25,
      protected: { accounts: [], permissionSets: [], principals: [] },
      allowManagementAccount: false,
    });
    expect(loaded.warnings).toEqual([]);
  });

  it('lets a {capture} permission set name without template pick the template by name', async () => {
    const text = doc(
      ...OKTA,
      ...TEMPLATES,
      'rules:',
      ...rule({
        groups:
          "{ namePattern: '^aws#(?<alias>[^#]+)#(?<ps>[\\w+=,.@-]{1,32})#(?<account>\\d{12})$' }",
        permissionSet: "'{ps}'",
        accounts: "['{account}']",
        assign: 'USER',
      }),
    );
    const loaded = await loadConfig(await write('capture-no-template.yaml', text), { env: ENV });
    expect(loaded.policy.rules[0]?.template).toBeUndefined();
    expect(loaded.policy.rules[0]?.permissionSet.placeholders).toEqual(['ps']);
  });

  it('applies defaults to a minimal config', async () => {
    const loaded = await loadConfig(await write('minimal.yaml', doc(...OKTA)), { env: ENV });
    expect(loaded.config.aws.rateLimit).toEqual({
      ssoAdmin: 20,
      identityStore: 20,
      organizations: 20,
      iam: 20,
      sts: 20,
    });
    expect(loaded.config.aws.discovery.inspectIam).toBe(true);
    expect(loaded.config.server).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(loaded.config.safety.maxDeletes).toBe(25);
    expect(loaded.policy.rules).toEqual([]);
  });

  it('resolves env and file references, interpolation, key files and $${ escapes', async () => {
    const loaded = await loadConfig(
      await write(
        'refs.yaml',
        doc(
          'okta:',
          '  orgUrl: https://${env:OKTA_DOMAIN}',
          '  oauth: { clientId: 0oa1, privateKeyFile: key.pem, keyId: k1 }',
          '  eventHook: { secret: "${file:okta-token.txt}" }',
          'store: postgres://app:${env:PGPASS}@db:5432/sync',
          'permissionSets:',
          '  ReadOnly:',
          '    description: costs $${HOME}',
          '    inlinePolicy: policies/ok.json',
          '    customerManagedPolicies: [{ name: Mine }]',
          '    permissionsBoundary: { managedPolicyArn: arn:aws:iam::aws:policy/PowerUserAccess }',
          'rules:',
          ...rule({
            groups: "{ ids: ['00g1abcdEFGH2ijkl3m4'] }",
            accounts: "['123456789012', { ou: ou-ab12-34567890, recursive: false }]",
          }),
        ),
      ),
      { env: { OKTA_DOMAIN: 'acme.okta.com', PGPASS: 'pw' } },
    );
    const { config, policy } = loaded;
    expect(config.okta.orgUrl).toBe('https://acme.okta.com');
    expect(config.okta.oauth?.privateKeyFile.reveal()).toBe(PEM);
    expect(config.okta.oauth?.scopes).toEqual([
      'okta.groups.read',
      'okta.users.read',
      'okta.logs.read',
    ]);
    expect(config.okta.eventHook?.secret.reveal()).toBe(FILE_SECRET);
    expect(config.store).toBe('postgres://app:pw@db:5432/sync');
    expect(config.permissionSets.ReadOnly?.description).toBe('costs ${HOME}');
    expect(config.permissionSets.ReadOnly?.inlinePolicy).toBe(VALID_POLICY);
    const template = policy.templates.ReadOnly;
    expect(template?.customerManagedPolicies).toEqual([{ name: 'Mine', path: '/' }]);
    expect(template?.permissionsBoundary).toEqual({
      kind: 'managed',
      managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    expect(policy.rules[0]?.groups).toEqual({ kind: 'ids', ids: ['00g1abcdEFGH2ijkl3m4'] });
    expect(policy.rules[0]?.accounts).toEqual([
      { kind: 'ids', ids: [{ source: '123456789012', placeholders: [] }] },
      { kind: 'ou', ou: 'ou-ab12-34567890', recursive: false },
    ]);
  });

  it('supports anchors and merge keys, with x- keys at the top level left alone', async () => {
    const loaded = await loadConfig(
      await write(
        'merge.yaml',
        doc(
          ...OKTA,
          ...TEMPLATES,
          'x-rule: &rule { permissionSet: ReadOnly, accounts: all, assign: USER }',
          'rules:',
          '  - { <<: *rule, name: a, groups: { names: [a] } }',
          '  - { <<: *rule, name: b, groups: { names: [b] }, assign: GROUP }',
        ),
      ),
      { env: ENV },
    );
    expect(loaded.policy.rules.map((r) => [r.name, r.permissionSet.source, r.assign])).toEqual([
      ['a', 'ReadOnly', 'USER'],
      ['b', 'ReadOnly', 'GROUP'],
    ]);
  });

  it('loads from a path or from inline JSON (the Lambda form)', async () => {
    const inline = await loadConfigFrom(
      JSON.stringify({ okta: { orgUrl: 'https://x.okta.com', token: '${env:OKTA_API_TOKEN}' } }),
      { env: ENV, baseDir: dir },
    );
    expect(inline.path).toBe('<inline config>');
    expect(inline.config.okta.token?.reveal()).toBe(ENV_SECRET);
    const fromPath = await loadConfigFrom(await write('from.yaml', doc(...OKTA)), { env: ENV });
    expect(fromPath.config.okta.orgUrl).toBe('https://example.okta.com');
    const error = await loadConfigFrom('{ "okta": { "orgUrl": 5 } }', { env: ENV }).catch(
      (e: unknown) => e,
    );
    expect((error as ConfigError).problems).toEqual([
      '<inline config>:1:11: okta: expected exactly one of token or oauth, found neither',
      '<inline config>:1:23: okta.orgUrl: expected a string, found 5',
    ]);
  });

  it('parses config text with a given name and base directory', async () => {
    const loaded = await parseConfigText(
      JSON.stringify({ okta: { orgUrl: 'https://x.okta.com', token: '${env:OKTA_API_TOKEN}' } }),
      { file: 'OKTA_AWS_SYNC_CONFIG', baseDir: dir, env: ENV },
    );
    expect(loaded.config.okta.token?.reveal()).toBe(ENV_SECRET);
  });
});

describe('secrets never leak', () => {
  it('resolved secrets do not appear in errors, JSON or inspection', async () => {
    const text = doc(
      'okta:',
      '  orgUrl: https://example.okta.com',
      '  token: ${env:OKTA_API_TOKEN}',
      '  eventHook: { secret: "${env:HOOK_SECRET}" }',
      'server: { apiToken: "${file:okta-token.txt}", port: -1 }',
      'rules: 5',
    );
    const file = await write('leak.yaml', text);
    const error = (await loadConfig(file, { env: ENV }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    const everything = [error.message, ...error.problems, inspect(error)].join('\n');
    expect(everything).toContain('server.port');
    for (const secret of [ENV_SECRET, FILE_SECRET]) expect(everything).not.toContain(secret);

    const good = await loadConfig(
      await write('good.yaml', text.replace(', port: -1', '').replace('rules: 5', '')),
      { env: ENV },
    );
    const shown = [
      JSON.stringify(good.config),
      inspect(good.config, { depth: 10 }),
      String(good.config.okta.token),
    ].join('\n');
    expect(shown).toContain('[redacted secret from env:OKTA_API_TOKEN]');
    for (const secret of [ENV_SECRET, FILE_SECRET]) expect(shown).not.toContain(secret);
  });

  it('a literal secret is not echoed back', async () => {
    const problems = await problemsOf(
      doc('okta:', '  orgUrl: https://example.okta.com', '  token: 00aLiteralTokenValue'),
    );
    expect(problems.join('\n')).not.toContain('00aLiteralTokenValue');
  });
});
