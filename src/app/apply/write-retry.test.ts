import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/aws-clients.js';
import { createAwsClients } from '../../adapters/aws/aws-clients.js';
import { AwsRateLimiters } from '../../adapters/aws/aws-rate-limiters.js';
import { createIdentityCenterWriter } from '../../adapters/aws/identity-center-writer.js';
import type { Clock } from '../../adapters/aws/rate-limiter.js';
import { systemClock } from '../../adapters/aws/rate-limiter.js';
import type { AccountId, IdcUserId, InstanceArn, PermissionSetArn } from '../../core/domain/ids.js';
import type { IdentityCenterWriter } from '../../ports/identity-center-writer.js';
import type { AwsSimulator } from '../../sim/aws/index.js';
import { startAwsSimulator } from '../../sim/aws/index.js';
import { CompletionEstimate, pollToTerminal, resolvePoll, resolveRetry } from './write-retry.js';

describe('CompletionEstimate', () => {
  it('knows nothing until a request was polled, then starts from the middle of its interval', () => {
    const estimate = new CompletionEstimate(20);
    expect(estimate.ms).toBeUndefined();
    estimate.record(250, 625);
    expect(estimate.ms).toBe(437.5);
  });

  it('drops a little when a request was already terminal at its first poll', () => {
    const estimate = new CompletionEstimate(20);
    estimate.record(400, 600);
    estimate.record(0, 500);
    expect(estimate.ms).toBeCloseTo(485, 9);
  });

  it('rises a little when the first poll found the request in progress', () => {
    const estimate = new CompletionEstimate(20);
    estimate.record(400, 600);
    estimate.record(500, 560);
    expect(estimate.ms).toBeCloseTo(535, 9);
  });

  it('converges on a fixed latency, with about 70 % of the first polls finding it done', () => {
    const latency = 500;
    const estimate = new CompletionEstimate(20);
    estimate.record(250, 375);
    let doneAtFirstPoll = 0;
    for (let i = 0; i < 300; i += 1) {
      // The first poll comes at the estimate; the next one a twentieth of it later.
      const first = estimate.ms ?? 0;
      const found = first >= latency;
      if (found) estimate.record(0, first);
      else estimate.record(first, first * 1.05);
      if (i >= 100 && found) doneAtFirstPoll += 1;
    }
    expect(estimate.ms).toBeGreaterThan(latency * 0.95);
    expect(estimate.ms).toBeLessThan(latency * 1.05);
    expect(doneAtFirstPoll).toBeGreaterThanOrEqual(120);
    expect(doneAtFirstPoll).toBeLessThanOrEqual(160);
  });

  it('divides its steps by the requests in flight, which all report on one stale estimate', () => {
    const estimate = new CompletionEstimate(20);
    estimate.record(400, 600);
    for (let i = 0; i < 15; i += 1) estimate.begin();
    estimate.record(0, 500);
    expect(estimate.ms).toBeCloseTo(500 * (1 - 0.03 / 15), 9);
    estimate.record(500, 550);
    expect(estimate.ms).toBeCloseTo(500 * (1 - 0.03 / 15) * (1 + 0.07 / 14), 9);
  });

  it('jumps to a pending time twice the estimate or more: the service got slower', () => {
    const estimate = new CompletionEstimate(20);
    estimate.record(40, 60);
    estimate.record(3000, 3300);
    expect(estimate.ms).toBe(3000);
  });

  it('never goes below its floor', () => {
    const estimate = new CompletionEstimate(20);
    estimate.record(0, 10);
    expect(estimate.ms).toBe(20);
    for (let i = 0; i < 100; i += 1) estimate.record(0, 5);
    expect(estimate.ms).toBe(20);
  });
});

describe('pollToTerminal against the simulator', () => {
  const A = '111111111111';
  let sim: AwsSimulator;
  let clients: AwsClients;
  let writer: IdentityCenterWriter;
  let user: string;
  let permissionSetArn: string;

  beforeEach(async () => {
    sim = await startAwsSimulator({
      asyncLatencyMs: 30,
      scenario: {
        accounts: [{ id: A, name: 'dev' }],
        users: [{ userName: 'alice', givenName: 'Alice', familyName: 'A', displayName: 'Alice' }],
        permissionSets: [{ name: 'Dev', tags: { 'managed-by': 'okta-aws-sync' } }],
      },
      quotas: { ratePerSecond: 1000 },
    });
    clients = createAwsClients(
      { region: sim.region, endpoint: sim.endpoint, credentials: sim.credentials },
      new AwsRateLimiters({ defaults: { ratePerSecond: 400, maxConcurrency: 20 } }),
    );
    writer = createIdentityCenterWriter(clients.ssoAdmin);
    const dump = sim.control.dumpState();
    user = String(dump.identityStore.users.find((u) => u.UserName === 'alice')?.UserId);
    permissionSetArn = dump.permissionSets.find((ps) => ps.name === 'Dev')?.arn ?? '';
  });

  afterEach(async () => {
    clients.destroy();
    await sim.close();
  });

  /** The real clock, remembering every wait it was asked for. */
  function recordingClock(): Clock & { readonly sleeps: number[] } {
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => systemClock.now(),
      sleep: (ms) => {
        sleeps.push(ms);
        return systemClock.sleep(ms);
      },
    };
  }

  const create = () =>
    writer.createAccountAssignment({
      instanceArn: sim.instanceArn as InstanceArn,
      accountId: A as AccountId,
      permissionSetArn: permissionSetArn as PermissionSetArn,
      principalType: 'USER',
      principalId: user as IdcUserId,
    });

  it('waits the learned completion time before the first poll, then learns from the request', async () => {
    const estimate = new CompletionEstimate(5);
    estimate.record(40, 60);
    const clock = recordingClock();
    const final = await pollToTerminal(
      writer,
      sim.instanceArn as InstanceArn,
      await create(),
      resolveRetry(),
      resolvePoll({ initialDelayMs: 250, maxDelayMs: 1000 }),
      clock,
      estimate,
    );
    expect(final.status).toBe('SUCCEEDED');
    // The first wait is the estimate (50 ms) within its ±3% jitter, not the 250 ms default.
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(48.5);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(51.5);
    // The simulator answers after 30 ms, so the first poll found it done: the estimate drops 3%.
    expect(clock.sleeps).toHaveLength(1);
    expect(estimate.ms).toBeCloseTo(48.5, 9);
  });

  it('keeps the configured schedule without an estimate, and does not wait past the ceiling', async () => {
    const clock = recordingClock();
    const final = await pollToTerminal(
      writer,
      sim.instanceArn as InstanceArn,
      await create(),
      resolveRetry(),
      resolvePoll({ initialDelayMs: 8, maxDelayMs: 12 }),
      clock,
    );
    expect(final.status).toBe('SUCCEEDED');
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(6);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(10);
    for (const wait of clock.sleeps) expect(wait).toBeLessThanOrEqual(12 * 1.25);

    const estimate = new CompletionEstimate(5);
    estimate.record(900, 1100);
    const capped = recordingClock();
    await pollToTerminal(
      writer,
      sim.instanceArn as InstanceArn,
      await create(),
      resolveRetry(),
      resolvePoll({ initialDelayMs: 8, maxDelayMs: 12 }),
      capped,
      estimate,
    );
    expect(capped.sleeps[0]).toBeLessThanOrEqual(12);
  });
});
