import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../test-support/run-cli-captured.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../../examples/okta-aws-sync.yaml');
const TOKEN = 'tok-5ecret-value-1234';
const HOOK = 'hook-5ecret-value-5678';

let dir: string;
let good: string;
let bad: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-cli-config-'));
  good = path.join(dir, 'good.yaml');
  await writeFile(
    good,
    [
      'okta:',
      '  orgUrl: https://example.okta.com',
      '  token: ${env:OKTA_API_TOKEN}',
      '  eventHook: { secret: "${env:HOOK}" }',
      'store: postgres://app:${env:HOOK}@db:5432/sync',
      'permissionSets:',
      '  ReadOnly: { managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess] }',
      'rules:',
      '  - { name: r, groups: { names: [a] }, permissionSet: ReadOnly, accounts: all, assign: USER }',
      '',
    ].join('\n'),
  );
  bad = path.join(dir, 'bad.yaml');
  await writeFile(
    bad,
    [
      'okta:',
      '  orgUrl: https://example.okta.com',
      '  token: ${env:OKTA_API_TOKEN}',
      '  eventHook: { secret: "${env:HOOK}" }',
      'server: { port: 99999 }',
      'rules:',
      '  - { name: r, groups: { names: [a] }, permissionSet: Nope, accounts: all, assign: ALL }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ENV = { OKTA_API_TOKEN: TOKEN, HOOK };

describe('config validate', () => {
  it('prints a one-line summary for the shipped example and exits 0', async () => {
    const run = await runCliCaptured(['--config', EXAMPLE, 'config', 'validate']);
    expect(run).toEqual({
      code: 0,
      stdout: `OK: ${EXAMPLE}: 3 rules, 2 permission-set templates\n`,
      stderr: '',
    });
  });

  it('takes the config path from OKTA_AWS_SYNC_CONFIG and prints a JSON summary with --json', async () => {
    const run = await runCliCaptured(['config', 'validate', '--json'], {
      ...ENV,
      OKTA_AWS_SYNC_CONFIG: good,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      file: good,
      rules: 1,
      templates: 1,
      ruleNames: ['r'],
      templateNames: ['ReadOnly'],
      okta: { orgUrl: 'https://example.okta.com', auth: 'token' },
      store: 'postgres://app:***@db:5432/sync',
      warnings: [],
    });
  });

  it('prints warnings on stderr and still exits 0', async () => {
    const file = path.join(dir, 'warn.yaml');
    await writeFile(
      file,
      [
        'okta: { orgUrl: https://example.okta.com, token: "${env:OKTA_API_TOKEN}" }',
        'permissionSets: { Base: {}, Unused: {} }',
        'rules:',
        "  - { name: r, groups: { namePattern: 'aws-(?<t>[a-z]+)' }, permissionSet: 'x-{t}', template: Base, accounts: all, assign: USER }",
        '',
      ].join('\n'),
    );
    const run = await runCliCaptured(['--config', file, 'config', 'validate'], ENV);
    expect(run).toEqual({
      code: 0,
      stdout: `OK: ${file}: 1 rule, 2 permission-set templates\n`,
      stderr: [
        `warning: ${file}:2:29: permissionSets.Unused: no rule uses this template`,
        `warning: ${file}:4:39: rules[0].groups.namePattern: the name pattern is not anchored with ^…$, so it also matches group names that merely contain a match`,
        '',
      ].join('\n'),
    });
  });

  it('lists every problem with file:line:column and exits 2', async () => {
    const run = await runCliCaptured(['--config', bad, 'config', 'validate'], ENV);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `error: ${bad}: 3 problems`,
      `  - ${bad}:5:17: server.port: expected a number at most 65535, found 99999`,
      `  - ${bad}:7:55: rules[0].permissionSet: expected the name of a permissionSets template when the rule has no template (none are defined), found "Nope"`,
      `  - ${bad}:7:84: rules[0].assign: expected "USER" or "GROUP", found "ALL"`,
      '',
    ]);
  });

  it('with --json, reports problems as JSON on stdout and exits 2', async () => {
    const run = await runCliCaptured(['--json', '--config', bad, 'config', 'validate'], ENV);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as { ok: boolean; problems: string[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(3);
    expect(report.problems[0]).toContain(`${bad}:5:17: server.port`);
  });

  it('a missing config file is one line and exit 2', async () => {
    const missing = path.join(dir, 'missing.yaml');
    const run = await runCliCaptured(['--config', missing, 'config', 'validate']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: cannot read config file ${missing}: no such file\n`,
    });
  });

  it('never prints a resolved secret, valid config or not', async () => {
    const runs = await Promise.all([
      runCliCaptured(['--config', good, 'config', 'validate'], ENV),
      runCliCaptured(['--json', '--config', good, 'config', 'validate'], ENV),
      runCliCaptured(['--config', bad, 'config', 'validate'], ENV),
      runCliCaptured(['--json', '--config', bad, 'config', 'validate'], ENV),
    ]);
    expect(runs.map((run) => run.code)).toEqual([0, 0, 2, 2]);
    const output = runs.map((run) => run.stdout + run.stderr).join('\n');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(HOOK);
  });
});

describe('config schema', () => {
  it('prints the JSON Schema of the file as written', async () => {
    const run = await runCliCaptured(['config', 'schema']);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as {
      $schema: string;
      properties: Record<string, { properties?: Record<string, Record<string, unknown>> }>;
      required: string[];
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual([
      'okta',
      'aws',
      'store',
      'server',
      'reconcile',
      'safety',
      'permissionSets',
      'rules',
    ]);
    expect(schema.required).toEqual(['okta']);
    const token = schema.properties.okta?.properties?.token;
    expect(token).toMatchObject({ type: 'string', pattern: '^\\$\\{(env|file):([^}]+)\\}$' });
    expect(schema.properties.okta?.properties?.poll?.properties).toMatchObject({
      interval: { type: 'string', default: '30s' },
    });
  });
});
