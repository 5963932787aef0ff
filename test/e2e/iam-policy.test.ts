/**
 * The IAM table (src/core/iam-policy/iam-policy-table.ts) proved against the AWS simulator, which
 * enforces the role's identity policy on every call (src/sim/aws/policy-enforcement.ts):
 * - complete: each feature's run succeeds under the policy generated for it alone, and under the
 *   policy of every mode that includes it, with no call denied;
 * - exact: a feature's run calls exactly the operations its table row lists (serve's: its row
 *   and sync's, since its reconciles plan and apply);
 * - minimal: without any one action, exactly the features that need it fail with AccessDenied
 *   naming it (or, where the denial is tolerated by design, report the documented degraded
 *   result), and every other feature still succeeds.
 * Each case starts a fresh world (two simulators, ~0.1 s) because sync and entitlements change it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { iamActionsFor, generateIamPolicy } from '../../src/core/iam-policy/generate-iam-policy.js';
import {
  IAM_MODE_FEATURES,
  IamFeatures,
  IamPolicyModes,
  type IamFeature,
} from '../../src/core/iam-policy/iam-policy-table.js';
import { assignmentRows } from '../../src/sim/aws/assignment-rows.js';
import type { EntitlementsWorld } from './entitlements-world.js';
import {
  FEATURE_ORDER,
  RUN_NEEDS,
  type FeatureOutcome,
  runFeature,
  startPolicyWorld,
  SYNCED_ASSIGNMENTS,
  WORLD_SCOPE,
} from './policy-world.js';

let env: EntitlementsWorld | undefined;
afterEach(async () => {
  await env?.world.close();
  env = undefined;
});

/**
 * Denials a feature tolerates by design, with the documented result (docs/iam-policy.md):
 * discovery records an account whose IAM it may not read as not inspected and goes on.
 */
const TOLERATED: Readonly<Partial<Record<IamFeature, (action: string) => boolean>>> = {
  discovery: (action) => action.startsWith('iam:') || action === 'sts:AssumeRole',
};

/** The parts of an outcome that say whether it succeeded; a success is `{ denied: [] }`. */
const result = (outcome: FeatureOutcome): Partial<FeatureOutcome> => ({
  failure: outcome.failure,
  degraded: outcome.degraded,
  denied: outcome.denied,
});
const succeeded = { denied: [] };

describe.each(IamPolicyModes)('the generated %s policy', (mode) => {
  it('runs every feature of the mode with no call denied', async () => {
    env = await startPolicyWorld(generateIamPolicy({ mode, ...WORLD_SCOPE }));
    for (const feature of FEATURE_ORDER.filter((f) => IAM_MODE_FEATURES[mode].includes(f))) {
      expect(result(await runFeature(env, feature)), `${feature} under ${mode}`).toEqual(succeeded);
    }
    if (IAM_MODE_FEATURES[mode].includes('sync'))
      expect(assignmentRows(env.world.aws.control.dumpState())).toEqual(SYNCED_ASSIGNMENTS);
  });
});

describe.each(IamFeatures)('the %s feature', (feature) => {
  it('succeeds under the policy of its rows alone and calls exactly the operations they list', async () => {
    const rows = RUN_NEEDS[feature];
    env = await startPolicyWorld(generateIamPolicy({ features: rows, ...WORLD_SCOPE }));
    const outcome = await runFeature(env, feature);
    expect(result(outcome)).toEqual(succeeded);
    expect(outcome.called).toEqual(iamActionsFor(rows));
  });
});

describe.each(iamActionsFor(IamFeatures))('a full policy without %s', (action) => {
  it('breaks exactly the features that need it, naming it', async () => {
    env = await startPolicyWorld(
      generateIamPolicy({ mode: 'full', omitActions: [action], ...WORLD_SCOPE }),
    );
    // The simulator's AccessDenied message, as AWS words it, names the action.
    const deniedMessage = `is not authorized to perform: ${action} on resource`;
    const needing = IamFeatures.filter((f) => iamActionsFor(RUN_NEEDS[f]).includes(action));
    expect(needing.length, 'the table lists it for some feature').toBeGreaterThan(0);
    for (const feature of FEATURE_ORDER) {
      const outcome = await runFeature(env, feature);
      if (!needing.includes(feature)) {
        expect(result(outcome), `${feature} does not need ${action}`).toEqual(succeeded);
        continue;
      }
      const inherited = !iamActionsFor([feature]).includes(action);
      if (inherited && outcome.denied.length === 0) {
        // Serve runs after sync on the same world: a write sync made before the denied status
        // read leaves serve nothing to do. That serve calls sync's operations when it has work
        // is shown by the test above, on a fresh world.
        expect(result(outcome), `${feature} after sync without ${action}`).toEqual(succeeded);
        continue;
      }
      expect(outcome.denied, `${feature} without ${action}`).toEqual([action]);
      if (TOLERATED[feature]?.(action)) {
        expect(outcome.failure, `${feature} tolerates ${action}`).toBeUndefined();
        expect(outcome.degraded, `${feature} degraded without ${action}`).toContain(deniedMessage);
      } else {
        expect(outcome.failure, `${feature} fails without ${action}`).toContain(deniedMessage);
      }
    }
  });
});
