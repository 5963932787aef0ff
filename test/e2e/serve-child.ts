// The CLI as a child process for the crash test: `node --import tsx test/e2e/serve-child.ts …`.
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv);
