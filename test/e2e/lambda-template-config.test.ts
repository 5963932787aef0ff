/**
 * The inline config the CloudFormation template gives the function (OKTA_AWS_SYNC_CONFIG, with
 * `${env:OKTA_API_TOKEN}` and `${env:OKTA_AWS_SYNC_STORE_URL}` references that the template fills
 * from Secrets Manager), loaded exactly as the function loads it: through the real config loader
 * and through the handler, against the simulators and a real PostgreSQL store.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFrom } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { Secret } from '../../src/core/secret.js';
import { closeWarmAdapters, createHandler } from '../../src/lambda/handler.js';
import { lambdaTemplate } from '../../src/lambda/package-lambda.js';
import { startCuttableProxy } from '../faults/tcp-proxy.js';
import { testPostgresUrl } from '../support/postgres.js';
import { startEntitlementsWorld, type EntitlementsWorld } from './entitlements-world.js';

const PASSWORD = 'pw-do-not-echo-7f3a';
const pgBase = testPostgresUrl();

/** CloudFormation's Fn::Sub on a string: `${Name}` from `values`, `${!x}` is a literal `${x}`. */
function fnSub(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(!?)([^}]+)\}/g, (_, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    const value = values[name];
    if (value === undefined) throw new Error(`template variable ${name} has no value`);
    return value;
  });
}

/** OKTA_AWS_SYNC_CONFIG as the deployed function sees it, for these parameter values. */
function deployedInlineConfig(parameters: Readonly<Record<string, string>>): string {
  const resources = lambdaTemplate().Resources as Record<
    string,
    { Properties: { Environment?: { Variables: Record<string, { 'Fn::Sub': string }> } } }
  >;
  const variables = resources.Function?.Properties.Environment?.Variables ?? {};
  const sub = variables.OKTA_AWS_SYNC_CONFIG?.['Fn::Sub'];
  if (typeof sub !== 'string') throw new Error('OKTA_AWS_SYNC_CONFIG is not an Fn::Sub string');
  return fnSub(sub, parameters);
}

/** A store URL carrying a password, in a schema of its own (the server may ignore the password). */
function storeUrlWithPassword(base: string, schema: string): string {
  const url = new URL(base);
  url.password = PASSWORD;
  url.searchParams.set('schema', schema);
  return url.toString();
}

let env: EntitlementsWorld;
let inline: string;
const schema = `lambda_template_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

beforeAll(async () => {
  env = await startEntitlementsWorld();
  inline = deployedInlineConfig({
    OktaOrgUrl: env.world.okta.orgUrl,
    InstanceArn: env.world.aws.instanceArn,
  });
});
afterAll(async () => {
  await closeWarmAdapters();
  await env.world.close();
  if (pgBase) {
    const client = new pg.Client({ connectionString: pgBase });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
});

/** The function's environment: what the template sets, plus the simulators' endpoint and keys. */
function functionEnv(storeUrl: string): Record<string, string> {
  return {
    ...env.world.env,
    AWS_ENDPOINT_URL: env.world.aws.endpoint,
    OKTA_AWS_SYNC_CONFIG: inline,
    OKTA_AWS_SYNC_STORE_URL: storeUrl,
  };
}

describe('the template’s inline config', () => {
  it('holds references, never the secrets', () => {
    expect(JSON.parse(inline)).toEqual({
      okta: { orgUrl: env.world.okta.orgUrl, token: '${env:OKTA_API_TOKEN}' },
      aws: { instanceArn: env.world.aws.instanceArn },
      store: '${env:OKTA_AWS_SYNC_STORE_URL}',
    });
  });

  it('loads through the real loader: the store URL and the token resolve from the environment', async () => {
    const storeUrl = storeUrlWithPassword('postgres://okta-aws-sync@db.internal:5432/sync', 's');
    const loaded = await loadConfigFrom(inline, { env: functionEnv(storeUrl) });
    expect(loaded.config.store).toBe(storeUrl);
    expect(loaded.config.okta.token).toBeInstanceOf(Secret);
    expect(loaded.config.okta.token?.reveal()).toBe(env.world.okta.token);
    expect(JSON.stringify(loaded.config.okta)).not.toContain(env.world.okta.token);
  });

  it('names the missing variable, and never echoes a resolved URL that is not a store URL', async () => {
    const missing = functionEnv('');
    delete (missing as Record<string, string | undefined>).OKTA_AWS_SYNC_STORE_URL;
    const unset = await loadConfigFrom(inline, { env: missing }).catch((e: unknown) => e);
    expect(unset).toBeInstanceOf(ConfigError);
    expect((unset as ConfigError).problems.join('\n')).toMatch(
      /store.*environment variable OKTA_AWS_SYNC_STORE_URL is not set/s,
    );
    const wrong = `mysql://admin:${PASSWORD}@db.internal/sync`;
    const error = await loadConfigFrom(inline, { env: functionEnv(wrong) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const text = [(error as ConfigError).message, ...(error as ConfigError).problems].join('\n');
    expect(text).toMatch(/store/);
    expect(text).not.toContain(PASSWORD);
  });
});

describe('the handler with the template’s inline config', () => {
  it.skipIf(pgBase === null)(
    'runs a stateless and a store-backed action on the resolved PostgreSQL URL, logging no secret',
    async () => {
      const logged: string[] = [];
      const handler = createHandler({
        env: functionEnv(storeUrlWithPassword(pgBase ?? '', schema)),
        log: (line) => logged.push(line),
      });
      const instances = await handler({ action: 'ListInstances' });
      expect(instances).toMatchObject({ ok: true });
      const discovered = await handler({ action: 'Discover', input: { source: 'aws' } });
      expect(discovered, JSON.stringify(discovered)).toMatchObject({
        ok: true,
        data: { snapshotId: expect.any(String) },
      });
      // The snapshot is in the PostgreSQL schema the resolved URL names.
      const client = new pg.Client({ connectionString: pgBase ?? '' });
      await client.connect();
      const tables = await client.query(
        'select count(*)::int as n from information_schema.tables where table_schema = $1',
        [schema],
      );
      await client.end();
      expect((tables.rows[0] as { n: number }).n).toBeGreaterThan(0);
      const everything = JSON.stringify([instances, discovered, logged]);
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain(env.world.okta.token);
    },
  );

  it.skipIf(pgBase === null)(
    'answers an unreachable store with an envelope that masks the password, and retries it on the next invocation',
    async () => {
      const target = new URL(pgBase ?? '');
      const proxy = await startCuttableProxy(target.hostname, Number(target.port || 5432));
      try {
        await proxy.cut();
        const through = new URL(storeUrlWithPassword(pgBase ?? '', schema));
        through.hostname = '127.0.0.1';
        through.port = String(proxy.port);
        const handler = createHandler({
          env: functionEnv(through.toString()),
          log: () => undefined,
        });
        const down = await handler({ action: 'Discover', input: { source: 'aws' } });
        expect(down).toMatchObject({ ok: false, error: { code: 'STORE_UNREACHABLE' } });
        expect(JSON.stringify(down)).toContain(':***@');
        expect(JSON.stringify(down)).not.toContain(PASSWORD);
        // The warm function must not keep the failed open: once the store is back, it works.
        await proxy.restore();
        const up = await handler({ action: 'Discover', input: { source: 'aws' } });
        expect(up, JSON.stringify(up)).toMatchObject({ ok: true });
      } finally {
        await closeWarmAdapters();
        await proxy.close();
      }
    },
  );
});
