import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoOktaStory, generateOktaScenario, loadOktaScenario } from './okta-scenario.js';
import { startOktaSimulator } from './okta-simulator.js';

describe('generateOktaScenario', () => {
  it('is deterministic per seed and builds 100,000 users and 10,000 groups', () => {
    const a = generateOktaScenario({ users: 100_000, groups: 10_000, seed: 42 });
    const b = generateOktaScenario({ users: 100_000, groups: 10_000, seed: 42 });
    const c = generateOktaScenario({ users: 1_000, groups: 100, seed: 43 });
    expect(a.users.length).toBe(100_000);
    expect(a.groups.length).toBe(10_000);
    expect(JSON.stringify(a.groups.slice(0, 50))).toBe(JSON.stringify(b.groups.slice(0, 50)));
    expect(a.users[99_999]).toEqual(b.users[99_999]);
    expect(JSON.stringify(c.groups.slice(0, 10))).not.toBe(JSON.stringify(a.groups.slice(0, 10)));
    const aws = a.groups.filter((g) => g.name.startsWith('aws#'));
    expect(aws.length).toBe(5_000);
    for (const g of aws) {
      expect(g.name).toMatch(/^aws#\S+#[\w-]+#\d{12}$/);
      expect(g.pushed).toBe(true);
    }
    expect(new Set(a.groups.map((g) => g.name)).size).toBe(10_000);
    expect(new Set(a.users.map((u) => u.login)).size).toBe(100_000);
  });
});

describe('loadOktaScenario', () => {
  it('reads YAML files and reports every problem of an invalid scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okta-scenario-'));
    try {
      const file = join(dir, 'org.yaml');
      writeFileSync(
        file,
        [
          'users:',
          '  - login: ann.lee@example.com',
          '    appAssigned: true',
          'groups:',
          '  - name: "aws#prod#AdministratorAccess#123456789012"',
          '    members: [ann.lee@example.com]',
          'story:',
          '  - { action: suspendUser, user: ann.lee@example.com, afterMs: 10 }',
        ].join('\n'),
      );
      const scenario = loadOktaScenario(file);
      expect(scenario.users[0]).toMatchObject({ login: 'ann.lee@example.com', appAssigned: true });
      expect(scenario.groups[0]?.members).toEqual(['ann.lee@example.com']);
      expect(scenario.story[0]).toMatchObject({ action: 'suspendUser', afterMs: 10 });
      writeFileSync(file, 'users:\n  - firstName: x\ngroups: nope\n');
      expect(() => loadOktaScenario(file)).toThrow(/users\.0\.login.*groups/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a generated organisation served by the simulator', () => {
  it('lists every active user across pages and finds the aws# groups', async () => {
    const scenario = generateOktaScenario({ users: 5_000, groups: 500, seed: 9 });
    const sim = await startOktaSimulator({ scenario });
    try {
      const headers = { authorization: `SSWS ${sim.token}` };
      let url: string | undefined = `${sim.orgUrl}/api/v1/users?limit=200`;
      let count = 0;
      while (url) {
        const res: Response = await fetch(url, { headers });
        count += ((await res.json()) as unknown[]).length;
        url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      }
      expect(count).toBe(scenario.users.filter((u) => u.status !== 'DEPROVISIONED').length);
      const search = encodeURIComponent('profile.name sw "aws#"');
      const groups = (await (
        await fetch(`${sim.orgUrl}/api/v1/groups?search=${search}`, { headers })
      ).json()) as unknown[];
      expect(groups.length).toBe(250);
    } finally {
      await sim.close();
    }
  });
});

describe('the demo scenario', () => {
  it('seeds the org and plays the demo story through admin actions', async () => {
    const sim = await startOktaSimulator({ scenario: 'demo' });
    try {
      const before = sim.control.state();
      expect(before.users.find((u) => u.login === 'alice@example.com')?.id).toBe(
        '00u1alice000000000001',
      );
      expect(before.groups.find((g) => g.name === 'aws-prod-readonly')).toMatchObject({
        id: '00g1prodro0000000001',
        pushed: true,
      });
      const result = await sim.control.runStory(demoOktaStory(0));
      expect(result.results.filter((r) => (r as { error?: unknown }).error !== undefined)).toEqual(
        [],
      );
      const after = sim.control.state();
      expect(after.users.find((u) => u.login === 'bob@example.com')?.status).toBe('DEPROVISIONED');
      expect(after.groups.map((g) => g.name)).toContain('aws#prod-data#Admin#333333333333');
      expect(sim.control.logEvents().map((e) => e.eventType)).toContain('group.lifecycle.create');
    } finally {
      await sim.close();
    }
  });
});
