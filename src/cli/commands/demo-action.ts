import { runDemo } from '../demo/run-demo.js';
import type { CliContext } from '../cli-context.js';
import { untilSignal } from '../cli-options.js';
import { ExitCode } from '../exit-codes.js';
import type { DemoOptions } from './demo-command.js';

/** The `demo` handler, loaded when the command runs (see demo-command.ts). */
export async function demoAction(context: CliContext, options: DemoOptions): Promise<number> {
  const result = await runDemo({
    dataDir: options.dataDir,
    port: options.port,
    out: context.stdout,
  });
  const ok = result.steps.every((step) => step.ok);
  if (options.exit !== true) {
    context.stdout.write('The service keeps running; press Ctrl-C to stop.\n');
    await untilSignal();
  }
  await result.stop();
  return ok ? ExitCode.ok : ExitCode.error;
}
