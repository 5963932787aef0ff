import type { Writable } from 'node:stream';

/** What every command handler gets: resolved global options and the streams to write to. */
export interface CliContext {
  /** Path of the config file: --config, else $OKTA_AWS_SYNC_CONFIG, else ./okta-aws-sync.yaml. */
  readonly configPath: string;
  /** --json: machine-readable output on stdout. */
  readonly json: boolean;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** A command handler resolves to an exit code; it throws only the errors of core/errors.ts. */
export type CommandResult = number | void;
