import fs from 'node:fs';
import path from 'node:path';

/**
 * How fast each language model evaluated tokens on this machine, as measured: by a short calibration, then by
 * every restoration it ran. Kept in the data folder (lm-speed.json), keyed by the model (its file, size and
 * date, or the server's address), the threads, contexts and sequences it ran with, and whether the prompts were batched
 * or run one by one (in/outpainting's loop evaluates fewer tokens per call, at another speed per token), so a
 * changed setting is measured anew rather than guessed from another.
 */
export const LM_SPEED_FILE = 'lm-speed.json';

/** Restorations remembered per model: the median of the latest few follows a machine that got busier or freer. */
const KEEP = 5;

export interface LmSpeedKey {
  /** The GGUF's path, or the llama-server's address. */
  readonly model: string;
  /** Threads per llama.cpp context (0 for a llama-server), and the contexts the sequences are spread over. */
  readonly threads: number;
  readonly contexts: number;
  readonly sequences: number;
  readonly sequential: boolean;
}

export interface LmSpeed {
  /** Seconds per evaluated token (median of the samples). */
  readonly secondsPerToken: number;
  /** 'runs' once a restoration has been measured; 'calibration' before. */
  readonly basis: 'calibration' | 'runs';
  /** Restorations measured (0 for a calibration alone). */
  readonly runs: number;
  /** Parameters of the model, when its header says: lets another model's estimate scale from this one. */
  readonly parameters: number | null;
}

interface Entry {
  readonly calibration: number | null;
  readonly runs: number[];
  readonly parameters: number | null;
}

export class LmSpeedStore {
  private readonly file: string;
  /** What a read-only store measured: kept for this process, over the file's figures. */
  private readonly overlay: Record<string, Entry> = {};

  /** `readOnly`: measurements stay in memory (the CLI reads a studio's data folder but never writes it). */
  constructor(
    dataDir: string,
    private readonly readOnly = false,
  ) {
    this.file = path.join(dataDir, LM_SPEED_FILE);
  }

  get(key: LmSpeedKey): LmSpeed | null {
    const entry = this.read()[keyOf(key)];
    return entry ? speedOf(entry) : null;
  }

  /** Every measured model (any threads), for scaling an estimate from the nearest one by parameter count. */
  all(): (LmSpeed & Omit<LmSpeedKey, 'model'>)[] {
    return Object.entries(this.read()).flatMap(([key, entry]) => {
      const speed = speedOf(entry);
      const [, threads, sequences, sequential, contexts = 1] = JSON.parse(key) as [
        string,
        number,
        number,
        boolean,
        number?,
      ];
      return speed ? [{ ...speed, threads, contexts, sequences, sequential }] : [];
    });
  }

  recordCalibration(key: LmSpeedKey, secondsPerToken: number, parameters: number | null): void {
    this.update(key, (entry) => ({ ...entry, calibration: secondsPerToken, parameters }));
  }

  recordRun(key: LmSpeedKey, secondsPerToken: number, parameters: number | null): void {
    this.update(key, (entry) => ({
      ...entry,
      runs: [...entry.runs, secondsPerToken].slice(-KEEP),
      parameters,
    }));
  }

  private update(key: LmSpeedKey, change: (entry: Entry) => Entry): void {
    if (!(Number.isFinite(key.threads) && key.sequences > 0)) return;
    const all = this.read();
    const k = keyOf(key);
    all[k] = change(all[k] ?? { calibration: null, runs: [], parameters: null });
    if (this.readOnly) {
      this.overlay[k] = all[k];
      return;
    }
    // Written whole to a temporary file and renamed: a crash leaves the old figures, never half a file.
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(temp, JSON.stringify(all));
    fs.renameSync(temp, this.file);
  }

  private read(): Record<string, Entry> {
    let stored: Record<string, Entry> = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      if (isEntries(parsed)) stored = parsed;
    } catch {
      // Missing or unreadable figures are only lost speed measurements: the next run measures again.
    }
    return { ...stored, ...this.overlay };
  }
}

function keyOf({ model, threads, sequences, sequential, contexts }: LmSpeedKey): string {
  return JSON.stringify([model, threads, sequences, sequential, contexts]);
}

function speedOf(entry: Entry): LmSpeed | null {
  if (entry.runs.length > 0) {
    return {
      secondsPerToken: median(entry.runs),
      basis: 'runs',
      runs: entry.runs.length,
      parameters: entry.parameters,
    };
  }
  if (entry.calibration !== null) {
    return {
      secondsPerToken: entry.calibration,
      basis: 'calibration',
      runs: 0,
      parameters: entry.parameters,
    };
  }
  return null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function isEntries(value: unknown): value is Record<string, Entry> {
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).every((e: unknown) => {
    if (typeof e !== 'object' || e === null) return false;
    const { calibration, runs, parameters } = e as Record<string, unknown>;
    return (
      (calibration === null || positive(calibration)) &&
      Array.isArray(runs) &&
      runs.every(positive) &&
      (parameters === null || positive(parameters))
    );
  });
}
