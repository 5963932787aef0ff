import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { namedCaptures, captureTemplate } from './capture-template.js';
import { compileSyncPolicy } from './compile-sync-policy.js';
import { configSchema, type Config } from './config-schema.js';
import { isoDurationSeconds, parseInterval } from './duration.js';

/** A config as the schema outputs it, without going through YAML. */
function config(input: Record<string, unknown>): Config {
  return configSchema.parse({
    okta: { orgUrl: 'https://example.okta.com', token: new Secret('t', 'env:T') },
    ...input,
  });
}

describe('compileSyncPolicy', () => {
  it('compiles every selector kind, in order, merging adjacent ids', () => {
    const policy = compileSyncPolicy(
      config({
        permissionSets: { Base: {} },
        rules: [
          {
            name: 'r',
            groups: { namePattern: '^aws-(?<team>[a-z]+)-(?<acct>\\d{12})$' },
            permissionSet: 'team-{team}',
            template: 'Base',
            accounts: [
              '111111111111',
              '{acct}',
              { ou: 'ou-ab12-34567890', recursive: false },
              { tags: { env: 'prod' } },
              'all',
            ],
            assign: 'USER',
          },
        ],
      }),
    );
    const [rule] = policy.rules;
    expect(rule?.permissionSet).toEqual({ source: 'team-{team}', placeholders: ['team'] });
    expect(rule?.accounts).toEqual([
      {
        kind: 'ids',
        ids: [
          { source: '111111111111', placeholders: [] },
          { source: '{acct}', placeholders: ['acct'] },
        ],
      },
      { kind: 'ou', ou: 'ou-ab12-34567890', recursive: false },
      { kind: 'tags', tags: { env: 'prod' } },
      { kind: 'all' },
    ]);
    expect(policy.templates.Base).toEqual({
      managedPolicies: [],
      customerManagedPolicies: [],
      tags: {},
    });
  });

  it('maps boundaries, protected settings and a custom ownership tag', () => {
    const policy = compileSyncPolicy(
      config({
        safety: {
          maxDeletes: 3,
          allowManagementAccount: true,
          protected: { accounts: ['123456789012'], principals: ['break-glass'] },
          ownershipTag: { key: 'owner', value: 'sync' },
        },
        permissionSets: {
          Bounded: {
            permissionsBoundary: { customerManagedPolicy: { name: 'Boundary', path: '/team/' } },
          },
        },
      }),
    );
    expect(policy.templates.Bounded?.permissionsBoundary).toEqual({
      kind: 'customer-managed',
      reference: { name: 'Boundary', path: '/team/' },
    });
    expect(policy.safety).toEqual({
      maxDeletes: 3,
      allowManagementAccount: true,
      protected: { accounts: ['123456789012'], permissionSets: [], principals: ['break-glass'] },
    });
    expect(policy.ownershipTag).toEqual({ key: 'owner', value: 'sync' });
  });

  it('throws ConfigError for a config that bypassed validation', () => {
    const unchecked = {
      ...config({}),
      rules: [
        {
          name: 'r',
          groups: { namePattern: '(' },
          permissionSet: 'x',
          accounts: 'all',
          assign: 'USER',
        },
      ],
    } as unknown as Config;
    expect(() => compileSyncPolicy(unchecked)).toThrow(ConfigError);
  });
});

describe('capture templates and intervals', () => {
  it('lists named captures, participating or not', () => {
    expect(namedCaptures(/^(?<a>x)|(?<b>y)(?:z)(?<c>\d)?$/)).toEqual(['a', 'b', 'c']);
    expect(namedCaptures(/^plain$/)).toEqual([]);
  });

  it('splits placeholders from literal text', () => {
    expect(captureTemplate('{a}-x-{b}{a}')).toEqual({
      source: '{a}-x-{b}{a}',
      placeholders: ['a', 'b', 'a'],
    });
    expect(captureTemplate('no {placeholder here').placeholders).toEqual([]);
  });

  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1d', 86_400_000],
    ['30', undefined],
    ['5 m', undefined],
  ])('interval %s is %s ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each([
    ['PT1H', 3600],
    ['PT12H', 43_200],
    ['PT90M', 5400],
    ['P0DT4H', 14_400],
    ['PT1.5S', 1.5],
    ['P1M', undefined],
    ['-PT1H', undefined],
    ['1h', undefined],
  ])('ISO duration %s is %s seconds', (text, seconds) => {
    expect(isoDurationSeconds(text)).toBe(seconds);
  });
});
