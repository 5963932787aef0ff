// Runs the CLI in this process and reports which modules that loaded, for
// src/cli/startup-imports.test.ts:
//   node --import tsx src/cli/test-support/loaded-modules-probe.ts <cli args>
// prints one JSON line: { code, stdout, stderr, modules }, `modules` being the URLs of every
// module the ES module loader loaded plus every CommonJS file in require.cache (CommonJS
// packages required by CommonJS code never reach the ES loader's hooks).
//
// Only node: built-ins are imported statically: the recording hook must be registered before the
// CLI's first module loads.
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
register('./record-loads-hook.mjs', import.meta.url, {
  data: { port: port2 },
  transferList: [port2],
});

const { runCliCaptured } = await import('./run-cli-captured.js');
const run = await runCliCaptured(process.argv.slice(2), process.env);

// Every load above finished before its import resolved, so the hooks thread's list is complete.
const esModules = await new Promise<string[]>((resolve) => {
  port1.once('message', (urls: string[]) => resolve(urls));
  port1.postMessage('list');
});
port1.close();
const commonJs = Object.keys(createRequire(import.meta.url).cache).map(
  (file) => pathToFileURL(file).href,
);
process.stdout.write(
  `${JSON.stringify({ ...run, modules: [...new Set([...esModules, ...commonJs])] })}\n`,
);
