// The CLI from source, for tests that need it as a real child process (signals, crashes):
//   node --import tsx test/support/cli-entry.ts <args>
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv);
