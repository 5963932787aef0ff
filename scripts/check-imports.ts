/**
 * Fails when an import goes the wrong way. Layers, from the centre outwards:
 *   core → ports → config → adapters → app → entry points (cli, http, lambda)
 * A module may import its own layer and any layer closer to the centre. The simulators (sim)
 * stand apart: they import nothing of the product, so that they cannot flatter it; only the
 * CLI (for `sim` and `demo`) and tests may import them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

const allowed: Record<string, readonly string[]> = {
  core: ['core'],
  ports: ['core', 'ports'],
  config: ['core', 'ports', 'config'],
  adapters: ['core', 'ports', 'config', 'adapters'],
  app: ['core', 'ports', 'config', 'adapters', 'app'],
  http: ['core', 'ports', 'config', 'app', 'http'],
  lambda: ['core', 'ports', 'config', 'app', 'lambda'],
  cli: ['core', 'ports', 'config', 'app', 'http', 'lambda', 'sim', 'cli'],
  sim: ['sim'],
};

function layerOf(file: string): string | undefined {
  const rel = relative(src, file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep)[0];
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

const importPattern =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const violations: string[] = [];
for (const file of walk(src)) {
  if (file.endsWith('.test.ts') || file.includes(`${sep}test-support${sep}`)) continue;
  const layer = layerOf(file);
  if (!layer) continue;
  const permitted = allowed[layer];
  if (!permitted) {
    violations.push(
      `${relative(root, file)}: unknown layer "${layer}" (add it to scripts/check-imports.ts)`,
    );
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(importPattern)) {
    const spec = match[1] ?? match[2];
    if (!spec?.startsWith('.')) continue;
    const target = layerOf(resolve(dirname(file), spec));
    if (target && !permitted.includes(target)) {
      violations.push(`${relative(root, file)}: ${layer} must not import ${target} ("${spec}")`);
    }
  }
}

if (violations.length > 0) {
  process.stderr.write(
    `Import direction violations:\n${violations.map((v) => `  ${v}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write('imports flow one way: ok\n');
