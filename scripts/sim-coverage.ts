/**
 * Prints which operations of each official AWS model the simulator implements, so gaps are
 * visible. `--json` prints one JSON object instead; `--missing` lists only the gaps.
 *   npx tsx scripts/sim-coverage.ts [--json] [--missing]
 */
import { startAwsSimulator } from '../src/sim/aws/aws-simulator.js';
import { awsServiceNames, loadServiceModel } from '../src/sim/aws/smithy-model.js';

const json = process.argv.includes('--json');
const missingOnly = process.argv.includes('--missing');

const sim = await startAwsSimulator({ quotas: { enabled: false } });
const implemented = sim.control.implementedOperations();
await sim.close();

const report: Record<string, { implemented: string[]; missing: string[]; total: number }> = {};
for (const service of awsServiceNames) {
  const all = [...loadServiceModel(service).operations.keys()].sort();
  const have = new Set(implemented[service]);
  report[service] = {
    implemented: all.filter((op) => have.has(op)),
    missing: all.filter((op) => !have.has(op)),
    total: all.length,
  };
}
// STS has no model file here; its two operations are hand-written.
report.sts = { implemented: [...implemented.sts], missing: [], total: implemented.sts.length };

if (json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  for (const [service, r] of Object.entries(report)) {
    const pct = r.total === 0 ? 100 : Math.round((r.implemented.length / r.total) * 100);
    process.stdout.write(
      `\n${service}: ${r.implemented.length}/${r.total} operations (${pct}%)${service === 'sts' ? ' (no model; hand-written)' : ''}\n`,
    );
    if (!missingOnly) for (const op of r.implemented) process.stdout.write(`  [x] ${op}\n`);
    for (const op of r.missing) process.stdout.write(`  [ ] ${op}\n`);
  }
}
