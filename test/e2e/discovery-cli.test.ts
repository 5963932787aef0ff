/**
 * `discover`, `access` and `graph` through the CLI, against both simulators, with a real config
 * file and an SQLite store: the snapshot round trip, grant paths, graph text and CSV shape.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { runCliCaptured } from '../../src/cli/test-support/run-cli-captured.js';
import { ACCESS_CSV_COLUMNS } from '../../src/core/access/access-csv.js';
import { startAwsSimulator, type AwsSimulator } from '../../src/sim/aws/index.js';
import { startOktaSimulator, type OktaSimulator } from '../../src/sim/okta/okta-simulator.js';
import { ACCOUNTS, OKTA, awsScenario, oktaScenario } from './discovery-fixture.js';

let aws: AwsSimulator;
let okta: OktaSimulator;
let dir: string;
let env: NodeJS.ProcessEnv;
let configPath: string;

beforeAll(async () => {
  aws = await startAwsSimulator({ scenario: awsScenario, asyncLatencyMs: 5 });
  okta = await startOktaSimulator({ scenario: oktaScenario });
  dir = await mkdtemp(join(tmpdir(), 'discovery-cli-'));
  configPath = join(dir, 'okta-aws-sync.yaml');
  await writeFile(
    configPath,
    [
      'okta:',
      `  orgUrl: ${okta.orgUrl}`,
      '  token: ${env:OKTA_API_TOKEN}',
      'aws:',
      `  region: ${aws.region}`,
      `  endpoint: ${aws.endpoint}`,
      `store: sqlite:${join(dir, 'store.db')}`,
      '',
    ].join('\n'),
  );
  env = {
    OKTA_API_TOKEN: okta.token,
    AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
  };
  const discovered = await cli('discover', '--format', 'json');
  expect(discovered.code).toBe(0);
});
afterAll(async () => {
  await aws?.close();
  await okta?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(...args: string[]) {
  return runCliCaptured(['--config', configPath, ...args], env);
}

describe('discover', () => {
  it('stores a snapshot and prints counts, problems and calls per operation', async () => {
    const run = await cli('discover');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Snapshot [0-9a-f-]{36} · source all · /);
    expect(run.stdout).toMatch(/^accounts\s+4$/m);
    expect(run.stdout).toMatch(/^assignments\s+3$/m);
    expect(run.stdout).toMatch(/^oktaUsers\s+4$/m);
    expect(run.stdout).toMatch(/^account-iam\s+555555555555\s+account is SUSPENDED$/m);
    expect(run.stdout).toMatch(
      /^aws#acme-prod#MissingRole#222222222222\s+222222222222\s+MissingRole\s+role-not-found$/m,
    );
    expect(run.stdout).toMatch(
      /^aws#ghost#Developer#999999999999\s+999999999999\s+Developer\s+account-not-found$/m,
    );
    expect(run.stdout).toMatch(/^Okta user not in IdC\s+carol@example\.com$/m);
    expect(run.stdout).toMatch(/^IdC user not in Okta\s+mallory@example\.com$/m);
    expect(run.stdout).toMatch(/^sso-admin\s+ListAccountAssignments\s+3\s+3\s+0\s+0\s+0$/m);
    // Plain progress lines (stderr is not a TTY here): each phase starts and ends.
    expect(run.stderr).toMatch(/^assignments: 0\/3 provisioned pairs$/m);
    expect(run.stderr).toMatch(/^assignments: 3\/3 provisioned pairs$/m);
  });

  it('writes JSON to --out and only reads the requested source', async () => {
    const out = join(dir, 'okta.json');
    const run = await cli('discover', '--source', 'okta', '--format', 'json', '--out', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const { inventory } = JSON.parse(await readFile(out, 'utf8')) as {
      inventory: {
        source: string;
        aws?: unknown;
        okta: { users: unknown[] };
        calls: { service: string }[];
      };
    };
    expect(inventory.source).toBe('okta');
    expect(inventory.aws).toBeUndefined();
    expect(inventory.okta.users).toHaveLength(4);
    expect(new Set(inventory.calls.map((c) => c.service))).toEqual(new Set(['okta']));
  });

  it('prints the inventory as CSV, one object per row', async () => {
    const run = await cli('discover', '--source', 'all', '--format', 'csv');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\r\n');
    expect(lines[0]).toBe('kind,id,name,parent,status,details');
    expect(lines).toContain(
      `account-iam,${ACCOUNTS.suspended},,,not-inspected,account is SUSPENDED`,
    );
    expect(lines).toContain(
      `okta-user,${OKTA.dave},dave@example.com,,DEPROVISIONED,dave@example.com`,
    );
    expect(lines.filter((line) => line.startsWith('assignment,'))).toHaveLength(3);
  });
});

describe('discover on a terminal', () => {
  it('redraws one progress line with phase, counts and ETA, and clears it at the end', async () => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let err = '';
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    stdout.resume();
    const code = await runCli(['node', 'okta-aws-sync', '--config', configPath, 'discover'], {
      stdout,
      stderr,
      env,
    });
    expect(code).toBe(0);
    const frames = err.split('\r\u001b[2K');
    expect(frames.length).toBeGreaterThan(5);
    expect(err).not.toContain('\n');
    expect(frames).toContain('assignments: 3/3 provisioned pairs');
    expect(frames.some((frame) => / ETA \d+s$/.test(frame))).toBe(true);
    expect(err.endsWith('\r\u001b[2K')).toBe(true);
  });
});

describe('access (from the latest snapshot, which is of source all)', () => {
  beforeAll(async () => {
    // The previous describe ended with an `all` snapshot; make sure it is the latest.
    expect((await cli('discover', '--format', 'json', '--out', join(dir, 'all.json'))).code).toBe(
      0,
    );
  });

  it('shows every path of a user: through a group, and directly', async () => {
    const run = await cli('access', '--user', 'alice@example.com', '--format', 'json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      grants: { kind: string; account: { id: string }; path: { kind: string; name: string }[] }[];
      policies: {
        name: string;
        managedPolicies: string[];
        inlinePolicy?: string;
        permissionsBoundary?: string;
        customerManagedPolicies: string[];
      }[];
    };
    expect(report.grants.map((g) => [g.kind, g.path.map((s) => `${s.kind}:${s.name}`)])).toEqual([
      [
        'group-assignment',
        ['okta-group:aws-admins', 'idc-group:aws-admins', 'permission-set:Admin', 'account:prod'],
      ],
      [
        'user-assignment',
        [
          'okta-user:alice@example.com',
          'idc-user:alice@example.com',
          'permission-set:ReadOnly',
          'account:prod',
        ],
      ],
    ]);
    expect(report.policies).toEqual([
      expect.objectContaining({
        name: 'Admin',
        managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        inlinePolicy: expect.stringContaining('organizations:*'),
      }),
      expect.objectContaining({
        name: 'ReadOnly',
        managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        customerManagedPolicies: ['/custom/extra-read'],
        permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
      }),
    ]);
  });

  it('shows SAML federation paths in the table', async () => {
    const run = await cli('access', '--account', 'acme-staging');
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n');
    const path =
      'Okta group aws#acme-staging#Okta-Staging-Developer#444444444444 → SAML provider Okta → role Okta-Staging-Developer → account staging (444444444444)';
    expect(rows).toContain(
      `bob@example.com      staging (444444444444)  role Okta-Staging-Developer  ${path}`,
    );
    expect(rows).toContain(
      `carol@example.com    staging (444444444444)  role Okta-Staging-Developer  ${path}`,
    );
    expect(rows).toContain(
      'mallory@example.com  staging (444444444444)  permission set ReadOnly      IdC user mallory@example.com → permission set ReadOnly → account staging (444444444444)',
    );
    expect(run.stdout).toMatch(
      /^Okta-Staging-Developer\s+arn:aws:iam::aws:policy\/PowerUserAccess$/m,
    );
  });

  it('exports an access-review CSV with one row per grant', async () => {
    const run = await cli('access', '--format', 'csv');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\r\n').filter((line) => line !== '');
    expect(lines[0]).toBe(ACCESS_CSV_COLUMNS.join(','));
    // alice ×2, bob ×2 (Admin via group, federation), carol ×1 (federation), mallory ×1.
    expect(lines).toHaveLength(1 + 6);
    const columns = ACCESS_CSV_COLUMNS.length;
    const bobFederated = lines.find(
      (line) => line.startsWith('bob@example.com') && line.includes('saml-federation'),
    );
    expect(bobFederated?.split(',')).toHaveLength(columns);
    expect(bobFederated).toBe(
      [
        'bob@example.com',
        OKTA.bob,
        'ACTIVE',
        '',
        '',
        'saml-federation',
        'aws#acme-staging#Okta-Staging-Developer#444444444444',
        '',
        '',
        'Okta-Staging-Developer',
        ACCOUNTS.staging,
        'staging',
        'ACTIVE',
        '',
        'arn:aws:iam::aws:policy/PowerUserAccess',
        '',
        '',
        '',
        'Okta group aws#acme-staging#Okta-Staging-Developer#444444444444 → SAML provider Okta → role Okta-Staging-Developer → account staging (444444444444)',
      ].join(','),
    );
    // The Admin inline policy holds commas and quotes, so it is quoted with doubled quotes.
    const aliceAdmin = lines.find(
      (line) => line.startsWith('alice@example.com') && line.includes('group-assignment'),
    );
    expect(aliceAdmin).toContain('"{""Version"":""2012-10-17""');
  });

  it('filters by group and permission set', async () => {
    const run = await cli(
      'access',
      '--group',
      'aws-admins',
      '--permission-set',
      'Admin',
      '--format',
      'json',
    );
    const report = JSON.parse(run.stdout) as { grants: { user: { oktaLogin?: string } }[] };
    expect(report.grants.map((g) => g.user.oktaLogin)).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    const none = await cli(
      'access',
      '--group',
      'aws-admins',
      '--permission-set',
      'ReadOnly',
      '--format',
      'json',
    );
    expect((JSON.parse(none.stdout) as { grants: unknown[] }).grants).toEqual([]);
  });
});

describe('graph', () => {
  it('draws a group as Mermaid', async () => {
    const run = await cli('graph', '--group', 'aws-admins');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'flowchart LR',
        '  n1["Okta group: aws-admins"]',
        '  n2["IdC group: aws-admins"]',
        '  n3["Permission set: Admin"]',
        '  n4["Account: prod (222222222222)"]',
        '  n1 --> n2',
        '  n2 --> n3',
        '  n3 --> n4',
        '',
      ].join('\n'),
    );
  });

  it('draws a user as DOT, with the groups that give them access', async () => {
    const run = await cli('graph', '--format', 'dot', '--user', 'bob@example.com');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'digraph entitlements {',
        '  rankdir=LR;',
        '  node [shape=box];',
        '  n1 [label="Okta user\\nbob@example.com"];',
        '  n2 [label="Okta group\\naws-admins"];',
        '  n3 [label="Okta group\\naws#acme-staging#Okta-Staging-Developer#444444444444"];',
        '  n4 [label="IdC group\\naws-admins"];',
        '  n5 [label="Permission set\\nAdmin"];',
        '  n6 [label="IAM role\\nOkta-Staging-Developer"];',
        '  n7 [label="Account\\nprod (222222222222)"];',
        '  n8 [label="Account\\nstaging (444444444444)"];',
        '  n1 -> n2;',
        '  n1 -> n3;',
        '  n2 -> n4;',
        '  n3 -> n6;',
        '  n4 -> n5;',
        '  n5 -> n7;',
        '  n6 -> n8;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('refuses without a snapshot', async () => {
    const empty = join(dir, 'empty.yaml');
    const text = (await readFile(configPath, 'utf8')).replace(
      /store: .*/,
      `store: sqlite:${join(dir, 'empty.db')}`,
    );
    await writeFile(empty, text);
    const run = await runCliCaptured(['--config', empty, 'graph'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: no snapshot in the store yet; run `discover` first\n');
  });
});
