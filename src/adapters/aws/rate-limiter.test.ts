import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsRateLimiters } from './aws-rate-limiters.js';
import { AdaptiveRateLimiter, type Clock } from './rate-limiter.js';

/** A clock that advances only when someone sleeps, recording every send time. */
function manualClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('AdaptiveRateLimiter', () => {
  it('spaces sequential requests by 1/rate after the first', async () => {
    const clock = manualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSecond: 20, clock });
    const sendTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const release = await limiter.acquire();
      sendTimes.push(clock.now());
      release();
    }
    expect(sendTimes).toEqual([0, 50, 100, 150, 200]);
  });

  it('lets a burst through back to back, then paces', async () => {
    const clock = manualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSecond: 10, burst: 3, clock });
    const sendTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const release = await limiter.acquire();
      sendTimes.push(clock.now());
      release();
    }
    expect(sendTimes).toEqual([0, 0, 0, 100, 200]);
  });

  it('halves-ish on throttle, never below the floor, and recovers on success', () => {
    const clock = manualClock();
    const limiter = new AdaptiveRateLimiter({
      ratePerSecond: 20,
      minRatePerSecond: 5,
      decreaseFactor: 0.5,
      recoveryPerSuccess: 0.25,
      maxConcurrency: 1,
      clock,
    });
    limiter.onThrottle();
    expect(limiter.currentRatePerSecond).toBe(10);
    // A second throttle inside the same window is the same signal.
    limiter.onThrottle();
    expect(limiter.currentRatePerSecond).toBe(10);
    void clock.sleep(1000);
    limiter.onThrottle();
    void clock.sleep(1000);
    limiter.onThrottle();
    expect(limiter.currentRatePerSecond).toBe(5);
    expect(limiter.throttles).toBe(4);
    limiter.onSuccess();
    expect(limiter.currentRatePerSecond).toBe(10);
    limiter.onSuccess();
    limiter.onSuccess();
    limiter.onSuccess();
    expect(limiter.currentRatePerSecond).toBe(20);
  });

  it('never lets more than maxConcurrency requests in flight', async () => {
    const limiter = new AdaptiveRateLimiter({
      ratePerSecond: 1000,
      burst: 1000,
      maxConcurrency: 2,
    });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const release = await limiter.acquire();
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        release();
      }),
    );
    expect(peak).toBe(2);
  });
});

describe('default concurrency', () => {
  it('is 10 at the AWS default rates and a tenth of a raised rate', () => {
    expect(new AdaptiveRateLimiter({ ratePerSecond: 20 }).maxConcurrency).toBe(10);
    expect(new AdaptiveRateLimiter({ ratePerSecond: 100 }).maxConcurrency).toBe(10);
    expect(new AdaptiveRateLimiter({ ratePerSecond: 400 }).maxConcurrency).toBe(40);
    expect(new AdaptiveRateLimiter({ ratePerSecond: 400, maxConcurrency: 5 }).maxConcurrency).toBe(
      5,
    );
  });
});

describe('AwsRateLimiters call gate on a real SDK client', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  /** Answers each request with the next scripted status/body, then success. */
  async function scriptedEndpoint(script: { status: number; body: string }[]): Promise<string> {
    let index = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const step = script[index] ?? { status: 200, body: '{"Instances":[]}' };
        index += 1;
        res.writeHead(step.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(step.body);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  }

  function client(endpoint: string, limiters: AwsRateLimiters): SSOAdminClient {
    return limiters.instrument(
      new SSOAdminClient({
        region: 'us-east-1',
        endpoint,
        maxAttempts: 1,
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' },
      }),
      'sso-admin',
    );
  }

  it('absorbs throttles and 5xx, counting every attempt', async () => {
    const endpoint = await scriptedEndpoint([
      { status: 400, body: '{"__type":"ThrottlingException","Message":"Rate exceeded"}' },
      { status: 500, body: '{"__type":"InternalServerException","Message":"boom"}' },
      { status: 502, body: '<html>bad gateway</html>' },
      { status: 400, body: '{"__type":"ThrottlingException","Message":"Rate exceeded"}' },
    ]);
    const limiters = new AwsRateLimiters({ retry: { baseDelayMs: 1 } });
    const output = await client(endpoint, limiters).send(new ListInstancesCommand({}));
    expect(output.Instances).toEqual([]);
    expect(limiters.counters.snapshot()).toEqual([
      {
        service: 'sso-admin',
        operation: 'ListInstances',
        calls: 1,
        requests: 5,
        throttled: 2,
        transientErrors: 2,
        failed: 0,
      },
    ]);
    expect(limiters.limiter('sso-admin').throttles).toBe(2);
  });

  it('does not retry client errors and counts the failure', async () => {
    const endpoint = await scriptedEndpoint([
      { status: 400, body: '{"__type":"AccessDeniedException","Message":"no"}' },
    ]);
    const limiters = new AwsRateLimiters({ retry: { baseDelayMs: 1 } });
    await expect(
      client(endpoint, limiters).send(new ListInstancesCommand({})),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(limiters.counters.totals()).toEqual({
      calls: 1,
      requests: 1,
      throttled: 0,
      transientErrors: 0,
      failed: 1,
    });
  });

  it('gives up after maxThrottledAttempts and reports the throttle', async () => {
    const throttle = { status: 400, body: '{"__type":"ThrottlingException","Message":"slow"}' };
    const endpoint = await scriptedEndpoint([throttle, throttle, throttle]);
    const limiters = new AwsRateLimiters({ retry: { baseDelayMs: 1, maxThrottledAttempts: 3 } });
    await expect(
      client(endpoint, limiters).send(new ListInstancesCommand({})),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(limiters.counters.totals()).toMatchObject({
      calls: 1,
      requests: 3,
      throttled: 3,
      failed: 1,
    });
  });

  it('installs once per client', async () => {
    const endpoint = await scriptedEndpoint([]);
    const limiters = new AwsRateLimiters();
    const sso = client(endpoint, limiters);
    limiters.instrument(sso, 'sso-admin');
    await sso.send(new ListInstancesCommand({}));
    expect(limiters.counters.totals().requests).toBe(1);
  });
});
