import { PassThrough } from 'node:stream';
import { runCli } from '../main.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in process with captured streams, as tests need it. */
export async function runCliCaptured(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CapturedRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(['node', 'okta-aws-sync', ...args], { stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}
