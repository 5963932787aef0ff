import { describe, expect, it } from 'vitest';

import { runFaultScenario } from './run-fault-scenario.js';

// Each scenario drives the whole service through faults; on 2 shared cores during the full
// suite one can take well over the default 60 s, and its own waits bound it already.
describe(
  'reduced fault suite (real service in process, both simulators)',
  { timeout: 240_000 },
  () => {
    it('converges through a throttling storm (50% of AWS calls throttled)', async () => {
      const outcome = await runFaultScenario({
        name: 'throttling-storm',
        seed: 11,
        inject: (fw) => fw.world.aws.control.setFaults({ '*': { throttleProbability: 0.5 } }),
      });
      expect(outcome.awsErrors).toBeGreaterThan(0);
    });

    it('converges when 10% of async assignment operations end FAILED', async () => {
      const outcome = await runFaultScenario({
        name: 'async-failed',
        seed: 12,
        actions: 24,
        inject: (fw) =>
          fw.world.aws.control.setFaults({ 'sso-admin': { asyncFailureProbability: 0.1 } }),
      });
      expect(outcome.creates + outcome.deletes).toBeGreaterThan(0);
      expect(outcome.asyncFailures).toBeGreaterThan(0);
    });

    it('converges through bursts of AWS 5xx errors', async () => {
      const outcome = await runFaultScenario({
        name: '5xx-bursts',
        seed: 13,
        inject: (fw) => {
          let on = false;
          const timer = setInterval(() => {
            on = !on;
            fw.world.aws.control.setFaults(on ? { '*': { serverErrorProbability: 0.6 } } : {});
          }, 150);
          fw.world.aws.control.setFaults({ '*': { serverErrorProbability: 0.6 } });
          return () => clearInterval(timer);
        },
      });
      expect(outcome.awsErrors).toBeGreaterThan(0);
    });

    it('converges through an Okta 429 storm and duplicated, reordered, delayed, dropped deliveries', async () => {
      const outcome = await runFaultScenario({
        name: 'okta-429-and-hook-faults',
        seed: 14,
        inject: (fw) => {
          fw.world.okta.control.setRateLimits({ forceNext: 40 });
          fw.world.okta.control.setHookFaults({
            duplicate: 0.3,
            reorder: 0.3,
            delay: 0.3,
            drop: 0.2,
            delayMs: 150,
            batchWindowMs: 10,
            retryDelayMs: 20,
          });
        },
      });
      expect(outcome.okta429s).toBeGreaterThan(0);
      expect(outcome.deliveries.dropped ?? 0).toBeGreaterThan(0);
    });

    it('converges under SCIM lag (memberships arrive before the users are pushed)', async () => {
      await runFaultScenario({
        name: 'scim-lag',
        seed: 15,
        actions: 8,
        inject: (fw) => fw.world.okta.control.setScimLag(800),
        extra: (fw) => {
          for (const login of ['late0@example.com', 'late1@example.com']) {
            const user = fw.world.okta.control.admin({
              action: 'createUser',
              login,
              appAssigned: true,
            }) as { id: string };
            fw.world.okta.control.admin({
              action: 'addMember',
              group: 'aws#dev#Developer#111111111111',
              user: user.id,
            });
          }
        },
      });
    });
  },
);
