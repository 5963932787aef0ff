import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

const nodeArgs = (args: readonly string[]): string[] => ['--import', 'tsx', entry, ...args];

/** Starts the CLI from source as a child process (node --import tsx), in the repo root. */
export function spawnCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, nodeArgs(args), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
}

/**
 * `spawnCli` with the child's stdout and stderr written to the open file `fd` instead of pipes,
 * so that a chatty child (serve's info logs) costs the parent nothing to drain.
 */
export function spawnCliToFile(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  fd: number,
): ChildProcess {
  return spawn(process.execPath, nodeArgs(args), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
}

/** Resolves with the first stdout line that satisfies `accept`; rejects if the child exits first. */
export function firstLine(
  child: ChildProcessWithoutNullStreams,
  accept: (line: string) => boolean = () => true,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const found = lines.find(accept);
      if (found !== undefined) {
        child.stdout.off('data', onData);
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`CLI exited (${code}) before the line: ${stderr}`)),
    );
  });
}

/** Resolves with the exit code (or signal name) once the child ends. */
export function exited(child: ChildProcessWithoutNullStreams): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
}
