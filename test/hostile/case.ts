import type { EventLog } from './events';
import type { ServerProcess } from './server';

export interface HostileContext {
  /** The studio server under attack; the same process for every case unless one kills it. */
  readonly server: ServerProcess;
  readonly events: EventLog;
  /** A scratch folder for this run, removed at the end. */
  readonly tmp: string;
}

export interface HostileCase {
  readonly name: string;
  /** Throws when the server's answer is wrong. The runner then checks the server still answers. */
  run(ctx: HostileContext): Promise<void>;
  readonly timeoutMs?: number;
}

export interface CaseGroup {
  readonly name: string;
  /** Runs before the server starts; returns environment the server needs (a mirror's address). */
  prepare?(tmp: string): Promise<NodeJS.ProcessEnv>;
  /** Builds the cases; may start helpers (a model host) that `teardown` stops. */
  cases(ctx: HostileContext): Promise<HostileCase[]> | HostileCase[];
  teardown?(): Promise<void>;
}
