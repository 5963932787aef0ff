// `serve` as a child process for the crash test:
//   node --import tsx test/e2e/serve-child.ts <config> <port>
// It runs the serve command's own code path (runServe), without the rest of the CLI.
import { runServe } from '../../src/cli/commands/serve-action.js';

const [configPath = '', port = '0'] = process.argv.slice(2);
process.exitCode = await runServe(
  { configPath, json: false, stdout: process.stdout, stderr: process.stderr, env: process.env },
  { port: Number(port) },
);
