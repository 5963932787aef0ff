/**
 * Fault-injection harness: the serve world (both simulators, real SDKs, hook delivery) plus
 *
 * - a write-auditing HTTP proxy between the service and the AWS simulator, which records every
 *   accepted CreateAccountAssignment/DeleteAccountAssignment together with whether its target
 *   already was in the wanted state when the request arrived (a *redundant write*);
 * - an oracle that computes the desired AWS assignments straight from the Okta simulator's state
 *   and the test rules, independently of the product's planner;
 * - a seeded script of admin actions (membership churn and a new group).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import path from 'node:path';

import type { LoadedConfig } from '../../src/config/load-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { seededRandom } from '../../src/sim/okta/okta-ids.js';
import type { OktaAdminAction, OktaScenario } from '../../src/sim/okta/okta-simulator.js';
import type { ServeWorld, ServeWorldOptions } from '../e2e/serve-world.js';
import { DEV, PROD, startServeWorld } from '../e2e/serve-world.js';
import { firstLine, spawnCli } from '../support/spawn-cli.js';

export { DEV, PROD, eventually, freePort } from '../e2e/serve-world.js';

export const USERS = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
export const DEV_GROUP = `aws#dev#Developer#${DEV}`;
export const PROD_GROUP = `aws#prod#Developer#${PROD}`;
export const OPS_GROUP = `aws#prod#Operator#${PROD}`;

/** Same rule as the config's `per-account-groups` rule, restated here for the oracle. */
const GROUP_PATTERN = /^aws#(?<alias>[^#]+)#(?<permissionSet>[\w+=,.@-]{1,32})#(?<account>\d{12})$/;
const ORG_ACCOUNTS = new Set([DEV, PROD]);

export const FAULT_OKTA_SCENARIO: OktaScenario = {
  users: USERS.map((login) => ({ login, appAssigned: true })),
  groups: [
    { name: DEV_GROUP, members: USERS.slice(0, 4) },
    { name: PROD_GROUP, members: USERS.slice(4, 6) },
  ],
};

/** One accepted (2xx) assignment write seen by the proxy. */
export interface AuditedWrite {
  readonly operation: 'CreateAccountAssignment' | 'DeleteAccountAssignment';
  readonly target: string;
  /** The target was already assigned (create) or already absent (delete) on arrival. */
  readonly redundant: boolean;
}

export interface FaultWorld {
  readonly world: ServeWorld;
  /** The config with the AWS endpoint pointed at the auditing proxy (for in-process servers). */
  readonly loaded: LoadedConfig;
  /** Path of that config file (for child processes). */
  readonly configPath: string;
  writes(): readonly AuditedWrite[];
  resetWrites(): void;
  /** Desired assignments from the Okta simulator's state, as `account|ps|USER|login`, sorted. */
  oracle(): string[];
  close(): Promise<void>;
}

function targetOf(body: string): string | null {
  try {
    const input = JSON.parse(body) as Record<string, unknown>;
    return [input.TargetId, input.PermissionSetArn, input.PrincipalType, input.PrincipalId].join(
      '|',
    );
  } catch {
    return null;
  }
}

export async function startFaultWorld(options: ServeWorldOptions = {}): Promise<FaultWorld> {
  const world = await startServeWorld({
    poll: true,
    oktaScenario: FAULT_OKTA_SCENARIO,
    ...options,
  });
  const upstream = new URL(world.aws.endpoint);
  const writes: AuditedWrite[] = [];

  const assigned = (): Set<string> =>
    new Set(
      world.aws.control
        .dumpState()
        .assignments.map((a) =>
          [a.accountId, a.permissionSetArn, a.principalType, a.principalId].join('|'),
        ),
    );

  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const amzTarget = String(req.headers['x-amz-target'] ?? '');
      const operation = amzTarget.endsWith('.CreateAccountAssignment')
        ? ('CreateAccountAssignment' as const)
        : amzTarget.endsWith('.DeleteAccountAssignment')
          ? ('DeleteAccountAssignment' as const)
          : null;
      const target = operation ? targetOf(body.toString()) : null;
      const existed = target ? assigned().has(target) : false;
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          if (operation && target && (answer.statusCode ?? 500) < 300) {
            writes.push({
              operation,
              target,
              redundant: operation === 'CreateAccountAssignment' ? existed : !existed,
            });
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;

  const configPath = path.join(world.dir, 'okta-aws-sync.proxied.yaml');
  const original = await readFile(world.configPath, 'utf8');
  await writeFile(
    configPath,
    original.replace(`endpoint: ${world.aws.endpoint}`, `endpoint: http://127.0.0.1:${proxyPort}`),
  );
  const loaded = await loadConfig(configPath, { env: world.env });

  return {
    world,
    loaded,
    configPath,
    writes: () => [...writes],
    resetWrites: () => void writes.splice(0),
    oracle() {
      const state = world.okta.control.state();
      const users = new Map(state.users.map((u) => [u.id, u]));
      const desired = new Set<string>();
      for (const group of state.groups) {
        const match = GROUP_PATTERN.exec(group.name);
        if (!match?.groups) continue;
        const { permissionSet, account } = match.groups;
        if (!account || !ORG_ACCOUNTS.has(account)) continue;
        for (const memberId of group.memberIds) {
          const user = users.get(memberId);
          if (user?.status !== 'ACTIVE') continue;
          desired.add(`${account}|${permissionSet}|USER|${user.login}`);
        }
      }
      return [...desired].sort();
    },
    async close() {
      await world.close();
      await new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      });
    },
  };
}

/** Whether two sorted lists (assignment rows, say) hold the same items. */
export function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The Okta simulator's seeded PRNG, so every run churns the same way. */
export { seededRandom };

/**
 * `count` membership adds/removes over the two seeded groups (each toggles a membership, so every
 * action is an effective change), then a new group with three members.
 */
export function churnScript(seed: number, count: number): OktaAdminAction[] {
  const random = seededRandom(seed);
  const members = new Map<string, Set<string>>([
    [DEV_GROUP, new Set(FAULT_OKTA_SCENARIO.groups?.[0]?.members ?? [])],
    [PROD_GROUP, new Set(FAULT_OKTA_SCENARIO.groups?.[1]?.members ?? [])],
  ]);
  const actions: OktaAdminAction[] = [];
  for (let i = 0; i < count; i++) {
    const group = random() < 0.5 ? DEV_GROUP : PROD_GROUP;
    const user = USERS[Math.floor(random() * USERS.length)]!;
    const set = members.get(group)!;
    if (set.has(user)) {
      set.delete(user);
      actions.push({ action: 'removeMember', group, user });
    } else {
      set.add(user);
      actions.push({ action: 'addMember', group, user });
    }
  }
  actions.push({ action: 'createGroup', name: OPS_GROUP });
  for (const user of USERS.slice(8, 11))
    actions.push({ action: 'addMember', group: OPS_GROUP, user });
  return actions;
}

/** Summary of the audited writes: accepted creates/deletes and the redundant ones among them. */
export function writeStats(writes: readonly AuditedWrite[]): {
  creates: number;
  deletes: number;
  redundantCreates: number;
  redundantDeletes: number;
} {
  const creates = writes.filter((w) => w.operation === 'CreateAccountAssignment');
  const deletes = writes.filter((w) => w.operation === 'DeleteAccountAssignment');
  return {
    creates: creates.length,
    deletes: deletes.length,
    redundantCreates: creates.filter((w) => w.redundant).length,
    redundantDeletes: deletes.filter((w) => w.redundant).length,
  };
}

/**
 * Starts `serve` from source as a child process on the proxied config and resolves once it
 * listens; the child is pushed to `children` so the caller can kill leftovers.
 */
export async function startServeChild(
  world: FaultWorld,
  port: number,
  children: ChildProcessWithoutNullStreams[],
  configPath = world.configPath,
): Promise<ChildProcessWithoutNullStreams> {
  const child = spawnCli(
    ['--config', configPath, 'serve', '--port', String(port)],
    world.world.env,
  );
  children.push(child);
  await firstLine(child, (line) => line.includes('"msg":"listening"'));
  // Keep draining, so a chatty child never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return child;
}
