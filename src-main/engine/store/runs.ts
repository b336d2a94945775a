import type { Db } from './store';

import type { Protocol, Task } from '../../../src-shared/tasks/registry';
export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface NewRun {
  readonly imageId: number;
  readonly task: Task;
  readonly protocol: Protocol;
  readonly params: unknown;
  readonly tokenizerId: string;
  readonly lmId: string;
}

export interface RunResult {
  readonly tokensBefore: readonly number[];
  readonly tokensAfter: readonly number[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly timings: Readonly<Record<string, number>>;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface RunRow {
  readonly id: number;
  readonly imageId: number;
  readonly task: Task;
  readonly protocol: Protocol;
  readonly status: RunStatus;
  readonly params: unknown;
  readonly tokenizerId: string;
  readonly lmId: string;
  readonly tokensBefore: number[] | null;
  readonly tokensAfter: number[] | null;
  readonly metrics: Record<string, number> | null;
  readonly timings: Record<string, number> | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly outputs: Record<string, string>;
}

export function startRun(db: Db, run: NewRun, now = new Date()): number {
  const info = db
    .prepare(
      `INSERT INTO runs (image_id, task, protocol, params, tokenizer_id, lm_id, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'running', ?)`,
    )
    .run(
      run.imageId,
      run.task,
      run.protocol,
      JSON.stringify(run.params),
      run.tokenizerId,
      run.lmId,
      now.toISOString(),
    );
  return Number(info.lastInsertRowid);
}

/**
 * Finishes a run and records its output files in ONE transaction: a reader never sees a run marked done
 * whose outputs are missing, nor outputs of a run still marked running.
 */
export function completeRun(db: Db, runId: number, result: RunResult, now = new Date()): void {
  const update = db.prepare(
    `UPDATE runs SET status = 'done', tokens_before = ?, tokens_after = ?, metrics = ?, timings = ?, finished_at = ?
     WHERE id = ? AND status = 'running'`,
  );
  const insertOutput = db.prepare('INSERT INTO run_outputs (run_id, kind, path) VALUES (?, ?, ?)');
  db.transaction(() => {
    const changed = update.run(
      JSON.stringify(result.tokensBefore),
      JSON.stringify(result.tokensAfter),
      JSON.stringify(result.metrics),
      JSON.stringify(result.timings),
      now.toISOString(),
      runId,
    ).changes;
    if (changed !== 1) throw new Error(`run ${runId} is not running`);
    for (const [kind, file] of Object.entries(result.outputs)) insertOutput.run(runId, kind, file);
  })();
}

export function endRun(
  db: Db,
  runId: number,
  status: 'failed' | 'cancelled',
  error: string,
  now = new Date(),
): void {
  db.prepare(
    `UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'`,
  ).run(status, error, now.toISOString(), runId);
}

/**
 * Runs left 'running' by a process that died cannot be resumed: mark them failed at start-up so the history
 * tells the truth.
 */
export function failInterruptedRuns(db: Db, now = new Date()): number {
  return db
    .prepare(
      `UPDATE runs SET status = 'failed', error = 'interrupted: the studio stopped during this run', finished_at = ?
       WHERE status = 'running'`,
    )
    .run(now.toISOString()).changes;
}

interface RawRun {
  id: number;
  imageId: number;
  task: Task;
  protocol: Protocol;
  status: RunStatus;
  params: string;
  tokenizerId: string;
  lmId: string;
  tokensBefore: string | null;
  tokensAfter: string | null;
  metrics: string | null;
  timings: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function listRuns(db: Db, opts: { imageId?: number; runId?: number; limit: number }): RunRow[] {
  const rows = db
    .prepare(
      `SELECT id, image_id AS imageId, task, protocol, status, params, tokenizer_id AS tokenizerId, lm_id AS lmId,
              tokens_before AS tokensBefore, tokens_after AS tokensAfter, metrics, timings, error,
              created_at AS createdAt, finished_at AS finishedAt
       FROM runs WHERE (@imageId IS NULL OR image_id = @imageId) AND (@runId IS NULL OR id = @runId)
       ORDER BY id DESC LIMIT @limit`,
    )
    .all({ imageId: opts.imageId ?? null, runId: opts.runId ?? null, limit: opts.limit }) as RawRun[];
  const outputs = db.prepare('SELECT kind, path FROM run_outputs WHERE run_id = ?');
  return rows.map((row) => ({
    ...row,
    params: JSON.parse(row.params) as unknown,
    tokensBefore: parse(row.tokensBefore) as number[] | null,
    tokensAfter: parse(row.tokensAfter) as number[] | null,
    metrics: parse(row.metrics) as Record<string, number> | null,
    timings: parse(row.timings) as Record<string, number> | null,
    outputs: Object.fromEntries(
      (outputs.all(row.id) as { kind: string; path: string }[]).map((o) => [o.kind, o.path]),
    ),
  }));
}

/** The name and thumbnail of each photo the given runs restored, for the runs list. */
export function photosOfRuns(
  db: Db,
  imageIds: readonly number[],
): Map<number, { name: string; thumbnail: Buffer }> {
  const select = db.prepare('SELECT name, thumbnail FROM images WHERE id = ?');
  const photos = new Map<number, { name: string; thumbnail: Buffer }>();
  for (const id of new Set(imageIds)) {
    const row = select.get(id) as { name: string; thumbnail: Buffer } | undefined;
    if (row) photos.set(id, row);
  }
  return photos;
}
