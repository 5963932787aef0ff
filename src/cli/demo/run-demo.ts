import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { registerEventHook } from '../../app/sync/register-event-hook.js';
import { loadConfig } from '../../config/load-config.js';
import { Secret } from '../../core/secret.js';
import { startSyncServer, type RunningSyncServer } from '../../http/sync-server.js';
import { assignmentRows } from '../../sim/aws/assignment-rows.js';
import { DEMO_ACCOUNTS, demoLogins } from '../../sim/scenarios/demo-scenario.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { DEMO_MAX_DELETES, demoConfigYaml } from './demo-config.js';

export interface DemoOptions {
  /** Where the SQLite store, the config and the service log go. Wiped of a previous demo. */
  readonly dataDir: string;
  /** Port for `serve`; 0 picks a free one. */
  readonly port: number;
  readonly out: Writable;
  /** How long each step may take to converge before the demo reports it as failed. */
  readonly stepTimeoutMs?: number;
}

export interface DemoResult {
  readonly steps: readonly {
    readonly title: string;
    readonly ok: boolean;
    readonly detail: string;
  }[];
  readonly serviceUrl: string;
  readonly stop: () => Promise<void>;
}

type AccessRow = `${string}|${string}|${string}|${string}`;

const HOOK_SECRET = 'demo-hook-secret-not-for-production';
const API_TOKEN = 'demo-api-token-not-for-production';

/**
 * The first-run demo: both simulators seeded with the sample organisation, an SQLite store, and
 * `serve` with its Okta event hook registered and verified. Then a narrated story of admin
 * actions in Okta and by hand in AWS; after each one it waits until AWS shows the outcome and
 * says what the tool did and why. Returns with everything still running; `stop()` ends it.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = (line = ''): void => void options.out.write(`${line}\n`);
  const stepTimeoutMs = options.stepTimeoutMs ?? 60_000;
  await mkdir(options.dataDir, { recursive: true });
  const storePath = path.join(options.dataDir, 'okta-aws-sync.db');
  for (const suffix of ['', '-wal', '-shm']) await rm(`${storePath}${suffix}`, { force: true });

  say('okta-aws-sync demo: an Okta org and an AWS organisation, both simulated on this machine.');
  const sims: RunningSimulators = await startSimulators({
    awsPort: 0,
    oktaPort: 0,
    scenario: 'demo',
    asyncLatencyMs: 200,
  });
  try {
    const result = await runStory(sims, options, say, stepTimeoutMs, storePath);
    return {
      ...result,
      stop: async () => {
        await result.stop();
        await sims.close();
      },
    };
  } catch (error) {
    await sims.close();
    throw error;
  }
}

async function runStory(
  sims: RunningSimulators,
  options: DemoOptions,
  say: (line?: string) => void,
  stepTimeoutMs: number,
  storePath: string,
): Promise<DemoResult> {
  const aws = sims.aws!;
  const okta = sims.okta!;
  await okta.control.settle();

  const configPath = path.join(options.dataDir, 'okta-aws-sync.yaml');
  await writeFile(
    configPath,
    demoConfigYaml({
      oktaOrgUrl: okta.orgUrl,
      awsEndpoint: aws.endpoint,
      awsRegion: aws.region,
      instanceArn: aws.instanceArn,
      storePath,
      port: options.port,
    }),
  );
  const env = {
    ...process.env,
    OKTA_API_TOKEN: okta.token,
    OKTA_EVENT_HOOK_SECRET: HOOK_SECRET,
    OKTA_AWS_SYNC_API_TOKEN: API_TOKEN,
    AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    AWS_REGION: aws.region,
  };
  const loaded = await loadConfig(configPath, { env });
  const logPath = path.join(options.dataDir, 'serve.log');
  const server = await startSyncServer({
    loaded,
    logger: pino({ level: 'info' }, pino.destination({ dest: logPath, sync: false })),
    wiring: { env },
  });
  const stop = async (): Promise<void> => {
    await server.close(2000).catch(() => undefined);
  };

  try {
    await registerEventHook({
      orgUrl: okta.orgUrl,
      apiToken: new Secret(okta.token, 'demo'),
      serviceUrl: server.url,
      hookSecret: new Secret(HOOK_SECRET, 'demo'),
    });
    say(`  Okta simulator ${okta.orgUrl}: 40 users, 10 groups, SCIM push into Identity Center`);
    say(`  AWS simulator  ${aws.endpoint}: 3 OUs, 8 member accounts (one suspended)`);
    say(`  serve          ${server.url}: event hook registered and verified; System Log poller on`);
    say(`  config         ${configPath}`);
    say();

    const world = new DemoWorld(sims, server);
    const steps: { title: string; ok: boolean; detail: string }[] = [];
    const step = async (title: string, act: () => Promise<string>): Promise<void> => {
      say(`▸ ${title}`);
      const before = world.access();
      let ok = true;
      let detail: string;
      try {
        detail = await act();
      } catch (error) {
        ok = false;
        detail = error instanceof Error ? error.message : String(error);
      }
      const after = world.access();
      for (const line of describeChange(before, after)) say(`    ${line}`);
      say(`  ${ok ? '✓' : '✗'} ${detail}`);
      say();
      steps.push({ title, ok, detail });
    };
    const waitFor = (what: string, check: () => boolean | Promise<boolean>): Promise<void> =>
      eventually(what, check, stepTimeoutMs);

    const initialAccess = world.access();
    await step(
      'Initial full reconcile: rules × Okta groups → permission sets and assignments',
      async () => {
        await server.service.requestReconcile('full');
        await waitFor('the first full reconcile', async () => {
          const status = await server.service.status();
          return (
            status.lastFullReconcile?.at != null &&
            status.queue.waiting + status.queue.processing === 0
          );
        });
        return `${world.permissionSetNames().length} permission sets, ${world.access().length} assignments. LegacyBreakGlass was made by hand: reported as unmanaged and left alone.`;
      },
    );
    const startAccess = world.access();

    const incidentGroup = `aws#sandbox#IncidentResponder#${DEMO_ACCOUNTS.sandbox}`;
    await step(`An admin creates the Okta group ${incidentGroup}`, async () => {
      okta.control.admin({ action: 'createGroup', name: incidentGroup });
      await waitFor('permission set IncidentResponder', () =>
        world.permissionSetNames().includes('IncidentResponder'),
      );
      return 'group.lifecycle.create → key group:<id> → rule per-account-groups matched → permission set IncidentResponder created from its template';
    });

    const [first, second, third] = demoLogins().slice(30, 33) as [string, string, string];
    await step(`${first} and ${second} join it`, async () => {
      okta.control.admin({ action: 'addMember', group: incidentGroup, user: first });
      okta.control.admin({ action: 'addMember', group: incidentGroup, user: second });
      await waitFor(
        'two IncidentResponder assignments',
        () => world.rowsFor('IncidentResponder').length === 2,
      );
      return 'group.user_membership.add → keys user:<id>, group:<id> → USER assignments in sandbox (888888888888), confirmed SUCCEEDED';
    });

    await step(`${second} leaves the group`, async () => {
      okta.control.admin({ action: 'removeMember', group: incidentGroup, user: second });
      await waitFor(
        `${second} without IncidentResponder`,
        () => !world.rowsFor('IncidentResponder').some((row) => row.includes(second)),
      );
      return 'group.user_membership.remove → the assignment is deleted (it was not the last one in the account, so the role stays)';
    });

    await step(
      `Okta's hook delivery is lost while ${third} joins; the System Log poller catches up`,
      async () => {
        okta.control.setHookFaults({ ...okta.control.hookFaults(), dropNext: 1 });
        okta.control.admin({ action: 'addMember', group: incidentGroup, user: third });
        await waitFor(`${third} with IncidentResponder`, () =>
          world.rowsFor('IncidentResponder').some((row) => row.includes(third)),
        );
        return 'the event hook delivery was dropped; the poller read the same event from /api/v1/logs (cursor persisted in the store) and the key was reconciled';
      },
    );

    const leaver = demoLogins()[2]!;
    await step(`${leaver} is deactivated in Okta`, async () => {
      // By Identity Center id: SCIM deprovisioning may remove the user (and its name) first.
      const userId = aws.control
        .dumpState()
        .identityStore.users.find((u) => u.UserName === leaver)?.UserId;
      const held = (): number =>
        aws.control.dumpState().assignments.filter((a) => a.principalId === userId).length;
      const had = held();
      okta.control.admin({ action: 'deactivateUser', user: leaver });
      await waitFor(`${leaver} without access`, () => held() === 0);
      return `user.lifecycle.deactivate → key user:<id> → all ${had} owned assignments removed. AWS does not end sessions already issued; they expire within the permission set's session duration.`;
    });

    await step(
      'Someone changes AWS by hand: deletes an assignment and attaches AdministratorAccess to ReadOnly',
      async () => {
        const dump = aws.control.dumpState();
        const readOnly = dump.permissionSets.find((ps) => ps.name === 'ReadOnly');
        const victim = dump.assignments.find((a) => a.permissionSetArn === readOnly?.arn);
        if (!readOnly || !victim) throw new Error('nothing to change by hand');
        aws.control.deleteAssignment(victim);
        aws.control.attachManagedPolicy(
          readOnly.arn,
          'arn:aws:iam::aws:policy/AdministratorAccess',
        );
        const expected = world.access().length + 1;
        await server.service.requestReconcile('full');
        await waitFor('drift repaired', () => {
          const ps = aws.control.dumpState().permissionSets.find((p) => p.name === 'ReadOnly');
          const policies = JSON.stringify(ps ?? {});
          return world.access().length === expected && !policies.includes('AdministratorAccess');
        });
        return 'the full reconcile (periodic; triggered now) found both drifts: the assignment was re-created, the policy detached and ReadOnly re-provisioned';
      },
    );

    await step(
      `An admin deletes aws-platform-admins, which would remove more than maxDeletes (${DEMO_MAX_DELETES}) assignments`,
      async () => {
        const held = world.rowsFor('PlatformAdmin').length;
        okta.control.admin({ action: 'deleteGroup', group: 'aws-platform-admins' });
        await waitFor('the refusal', async () => {
          const failed = await server.store.listFailedKeys(20);
          return failed.some((key) => /maxDeletes|deletes/i.test(key.error ?? ''));
        });
        const failed = await server.store.listFailedKeys(20);
        const reason =
          failed.find((key) => /maxDeletes|deletes/i.test(key.error ?? ''))?.error ?? '';
        if (world.rowsFor('PlatformAdmin').length !== held)
          throw new Error('assignments were deleted');
        return `refused, nothing deleted (${held} assignments kept): ${reason}. Review with \`okta-aws-sync --config ${configPath} plan\`, then \`apply --allow-deletes N\`.`;
      },
    );

    const finalAccess = world.access();
    say('Access before the story → after it (assignments per account and permission set):');
    for (const line of accessTable(initialAccess, startAccess, finalAccess)) say(`  ${line}`);
    say();
    const awsCalls = aws.control.calls();
    const top = Object.entries(awsCalls.counts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 8)
      .map(([op, count]) => `${op} ${count}`);
    say(`AWS API calls: ${awsCalls.total} (${top.join(', ')})`);
    say(`Okta API calls: ${okta.control.calls().total}`);
    say();
    say(`serve      ${server.url}  (API token: $OKTA_AWS_SYNC_API_TOKEN in ${configPath})`);
    say(`  status   ${server.url}/api/v1/status`);
    say(`  metrics  ${server.url}/metrics`);
    say(`  log      ${logPath}`);
    say(`Okta sim   ${okta.orgUrl}   AWS sim ${aws.endpoint}`);
    const failures = steps.filter((s) => !s.ok).length;
    say(failures === 0 ? 'Every step converged.' : `${failures} step(s) did not converge.`);
    return { steps, serviceUrl: server.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reads the AWS simulator's state as the demo narrates it. */
class DemoWorld {
  constructor(
    private readonly sims: RunningSimulators,
    private readonly server: RunningSyncServer,
  ) {}

  /** Every assignment as `account|permission set|TYPE|user name or group name`, sorted. */
  access(): AccessRow[] {
    return assignmentRows(this.sims.aws!.control.dumpState()) as AccessRow[];
  }

  rowsFor(permissionSet: string): AccessRow[] {
    return this.access().filter((row) => row.split('|')[1] === permissionSet);
  }

  permissionSetNames(): string[] {
    return this.sims
      .aws!.control.dumpState()
      .permissionSets.map((ps) => ps.name)
      .sort();
  }

  get url(): string {
    return this.server.url;
  }
}

function describeChange(before: readonly AccessRow[], after: readonly AccessRow[]): string[] {
  const was = new Set(before);
  const now = new Set(after);
  const lines: string[] = [];
  const show = (sign: string, row: string): void => {
    const [account, ps, type, name] = row.split('|');
    lines.push(`${sign} ${ps} in ${account} for ${type === 'USER' ? 'user' : 'group'} ${name}`);
  };
  const added = after.filter((row) => !was.has(row));
  const removed = before.filter((row) => !now.has(row));
  for (const row of added.slice(0, 6)) show('+', row);
  if (added.length > 6) lines.push(`+ … ${added.length - 6} more`);
  for (const row of removed.slice(0, 6)) show('-', row);
  if (removed.length > 6) lines.push(`- … ${removed.length - 6} more`);
  return lines;
}

function accessTable(
  initial: readonly AccessRow[],
  start: readonly AccessRow[],
  final: readonly AccessRow[],
): string[] {
  const count = (rows: readonly AccessRow[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const [account, ps] = row.split('|');
      const key = `${account} ${ps}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const [a, b, c] = [count(initial), count(start), count(final)];
  const keys = [...new Set([...a.keys(), ...b.keys(), ...c.keys()])].sort();
  const width = Math.max(28, ...keys.map((k) => k.length));
  const lines = [`${'account permission set'.padEnd(width)}  found  synced  after story`];
  for (const key of keys) {
    lines.push(
      `${key.padEnd(width)}  ${String(a.get(key) ?? 0).padStart(5)}  ${String(b.get(key) ?? 0).padStart(6)}  ${String(c.get(key) ?? 0).padStart(11)}`,
    );
  }
  return lines;
}

async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`did not converge: ${what} (after ${timeoutMs / 1000} s)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
