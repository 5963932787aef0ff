import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lambdaTemplate,
  packageLambda,
  ZIP_BUDGET_BYTES,
  type PackageLambdaResult,
} from '../../src/lambda/package-lambda.js';
import { startEntitlementsWorld, type EntitlementsWorld } from './entitlements-world.js';

const run = promisify(execFile);

type Json = unknown;

/** Every Ref, Fn::GetAtt, Fn::Sub variable and Condition name used in the template. */
function references(
  node: Json,
  out: { refs: Set<string>; conditions: Set<string> },
  local = new Set<string>(),
): void {
  if (Array.isArray(node)) {
    for (const n of node) references(n, out, local);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, Json>)) {
    if (key === 'Ref' && typeof value === 'string') out.refs.add(value);
    else if (key === 'Fn::GetAtt' && Array.isArray(value)) out.refs.add(String(value[0]));
    else if (key === 'Condition' && typeof value === 'string') out.conditions.add(value);
    else if (key === 'Fn::Sub') {
      const [text, vars] = Array.isArray(value) ? value : [value, {}];
      const names = new Set(Object.keys((vars ?? {}) as object));
      for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = m[1]!.split('.')[0]!;
        if (!names.has(name)) out.refs.add(name);
      }
      references(vars, out, local);
    } else references(value, out, local);
  }
}

describe('lambda package', () => {
  let dir: string;
  let result: PackageLambdaResult;
  let env: EntitlementsWorld;

  beforeAll(async () => {
    // Outside the repo: the bundle must run without any node_modules to resolve from.
    dir = await mkdtemp(path.join(tmpdir(), 'okta-aws-sync-lambda-'));
    result = await packageLambda({ outDir: dir });
    env = await startEntitlementsWorld();
  }, 180_000);
  afterAll(async () => {
    await env?.world.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes one minified bundle whose zip is under the 5 MB budget', async () => {
    expect(result.zipBytes).toBeLessThan(ZIP_BUDGET_BYTES);
    expect(result.zipBytes).toBeLessThan(result.bundleBytes);
    const zip = await readFile(result.zipPath);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 39).toString()).toBe('index.mjs');
  });

  it('the bundle answers as Lambda invokes it, in a fresh Node process', async () => {
    const script = [
      'const { handler } = await import(process.argv[1]);',
      'const out = [];',
      "out.push(await handler({ action: 'ListInstances' }));",
      "out.push(await handler({ action: 'ListEntitlements', input: { principalType: 'USER', principalId: 'breakglass' } }));",
      "out.push(await handler({ action: 'ListInstances', accessKeyId: 'x' }));",
      'console.log(JSON.stringify(out));',
      'process.exit(0);',
    ].join('\n');
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', script, result.bundlePath],
      {
        cwd: path.dirname(result.bundlePath),
        env: {
          PATH: process.env.PATH ?? '',
          ...env.world.env,
          OKTA_AWS_SYNC_CONFIG: env.world.configPath,
          NODE_PATH: '',
        },
        timeout: 60_000,
      },
    );
    const [instances, entitlements, rejected] = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      ok: boolean;
      data?: Record<string, unknown>;
      error?: { code: string };
    }[];
    expect(instances).toEqual({
      ok: true,
      data: {
        instances: [
          {
            instanceArn: env.world.aws.instanceArn,
            identityStoreId: env.world.aws.identityStoreId,
          },
        ],
      },
    });
    expect(entitlements?.ok).toBe(false);
    expect(entitlements?.error?.code).toBe('REFUSED'); // breakglass is a protected principal
    expect(rejected?.error?.code).toBe('CREDENTIALS_IN_PAYLOAD');
  }, 90_000);

  it('the template parses and every reference resolves', async () => {
    const template = JSON.parse(await readFile(result.templatePath, 'utf8')) as {
      Parameters: Record<string, unknown>;
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Conditions: Record<string, unknown>;
    };
    expect(template).toEqual(JSON.parse(JSON.stringify(lambdaTemplate())));
    const found = { refs: new Set<string>(), conditions: new Set<string>() };
    references(template, found);
    const known = new Set([
      ...Object.keys(template.Parameters),
      ...Object.keys(template.Resources),
      'AWS::AccountId',
      'AWS::Region',
      'AWS::Partition',
      'AWS::StackName',
    ]);
    expect([...found.refs].filter((r) => !known.has(r))).toEqual([]);
    expect([...found.conditions].filter((c) => !(c in template.Conditions))).toEqual([]);
    expect(found.refs.has('InstanceArn')).toBe(true);

    const role = template.Resources.ExecutionRole!;
    const text = JSON.stringify(role);
    expect(text).not.toMatch(/"Action":"\*"|"[a-z]+:\*"/);
    expect(text).toContain('sso:CreateAccountAssignment');
    // Secrets only as Secrets Manager dynamic references.
    const vars = JSON.stringify(template.Resources.Function!.Properties.Environment);
    expect(vars).toContain('{{resolve:secretsmanager:${StoreUrlSecretArn}:SecretString}}');
    expect(vars).not.toMatch(/postgres:\/\//);
    expect(template.Resources.ReconcileRule).toMatchObject({ Condition: 'HasSchedule' });
  });
});
