/**
 * Fuzzes the config loader and the plan-file loader with garbage and near-valid input: each
 * either accepts the input or throws its documented error class with a non-empty message; no
 * other exception escapes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { parseConfigText } from '../../src/config/load-config.js';
import { ConfigError, UsageError } from '../../src/core/errors.js';
import { parsePlan } from '../../src/core/plan/plan.js';
import { planOfOperations } from '../../src/core/test-support/fixtures.js';
import { mutated } from './mutate.js';

const SEED = 20_261_130;
const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const EXAMPLE_CONFIG = path.join(EXAMPLES, 'okta-aws-sync.yaml');

async function configOutcome(text: string): Promise<'accepted' | 'rejected'> {
  try {
    await parseConfigText(text, {
      env: {},
      file: EXAMPLE_CONFIG,
      baseDir: EXAMPLES,
    });
    return 'accepted';
  } catch (error) {
    // Anything but the two user-facing classes is a crash.
    expect(error instanceof ConfigError || error instanceof UsageError).toBe(true);
    expect((error as Error).message.trim()).not.toBe('');
    return 'rejected';
  }
}

function planOutcome(input: unknown): 'accepted' | 'rejected' {
  try {
    parsePlan(input);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.trim()).not.toBe('');
    return 'rejected';
  }
}

const MINIMAL_PLAN = planOfOperations('arn:aws:sso:::instance/ssoins-0123456789abcdef', []);

describe('fuzz: config loader', () => {
  it('answers arbitrary text with a ConfigError/UsageError or a config, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.anything({ maxDepth: 3 }).map((v) => stringifyYaml(v) ?? ''),
          fc.json(),
        ),
        async (text) => {
          await configOutcome(text);
        },
      ),
      {
        numRuns: 200,
        seed: SEED,
        // Found by this test: refinements that crashed on a missing or null section.
        examples: [['{}\n'], ['aws: {}\n'], ['okta: {}\npermissionSets: { A: null }\n']],
      },
    );
  });

  it('answers mutations of the example config with a clear error or a config', async () => {
    const base: unknown = parseYaml(await readFile(EXAMPLE_CONFIG, 'utf8'));
    expect(await configOutcome(stringifyYaml(base))).toBe('accepted');
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(mutated(base), async (config) => {
        if ((await configOutcome(stringifyYaml(config) ?? '')) === 'rejected') rejected++;
      }),
      { numRuns: 150, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('fuzz: plan-file loader', () => {
  it('answers arbitrary values and text with a UsageError, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.string(), fc.json(), fc.string({ unit: 'binary' })),
        (input) => {
          planOutcome(input);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });

  it('answers mutations of a valid plan (as values and as JSON text) with a UsageError or a plan', () => {
    expect(planOutcome(MINIMAL_PLAN)).toBe('accepted');
    let rejected = 0;
    fc.assert(
      fc.property(mutated(MINIMAL_PLAN), fc.boolean(), (plan, asText) => {
        const input = asText ? (JSON.stringify(plan) ?? 'undefined') : plan;
        if (planOutcome(input) === 'rejected') rejected++;
      }),
      { numRuns: 300, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  });
});
