/**
 * The task registry: one pure descriptor per restoration task, imported by the engine, the renderer and the CLI.
 * Everything a task *is* lives here (its name, what it asks of the user, which inputs and protocols it accepts,
 * which cells the paper predicts, whether the repair is local, its defaults); what each layer *does* with a task
 * lives in that layer's one side file, a table keyed by Task so the compiler names a layer that lacks a task:
 *   engine   src-main/engine/restore/task-sides.ts
 *   renderer src-renderer/src/run/task-sides.tsx
 *   CLI      src-main/cli/task-sides.ts
 * See docs/architecture.md for adding a task.
 */

export const TASK_IDS = ['inpaint', 'outpaint', 'deblur', 'shift', 'rotate'] as const;
export type Task = (typeof TASK_IDS)[number];

export const PROTOCOL_IDS = ['reference', 'blind'] as const;
export type Protocol = (typeof PROTOCOL_IDS)[number];

/** The task a new photo starts on. */
export const DEFAULT_TASK: Task = 'inpaint';

/** Request fields that only some tasks read; any other task is refused when it sends one. */
export type TaskField =
  'mask' | 'extend' | 'blurKernel' | 'blurSigma' | 'blurRegion' | 'shift' | 'quarterTurns' | 'resolution';

export interface TaskDescriptor {
  readonly id: Task;
  /** The name the studio shows, and a one-line description of what a run does. */
  readonly label: string;
  readonly hint: string;
  /** The classical restoration a run is set beside (the engine's baselines), or null where none is fair. */
  readonly classical: { readonly short: string; readonly long: string } | null;
  /**
   * Cells the paper predicts when the user marks nothing: the centre 8x8 words, the bottom half, or every word.
   */
  readonly paperCells: 'centre' | 'bottom-half' | 'all';
  /** Predictions that must run in order, each written back before the next prompt (in/outpainting). */
  readonly sequential: boolean;
  /**
   * Where the blind protocol's examples come from: the intact part of the same photo, or a bank of other photos
   * degraded alike (a whole-image corruption leaves no intact part).
   */
  readonly blindExamples: 'intact' | 'bank';
  /**
   * Whether the repair is local (only the marked cells are restored and pasted back, the rest of the photo kept
   * exactly): always, only when a region is brushed, or never (the whole view is restored).
   */
  readonly local: 'always' | 'with-region' | 'never';
  /**
   * Request fields this task reads (blurKernel is accepted everywhere: other tasks have always ignored it).
   * 'resolution' is read by the whole-image tasks: they alone have a tiled form at the photo's own resolution.
   */
  readonly fields: readonly TaskField[];
  /** The column of the paper's results table this task fills, and the row name `eval paper` gives it. */
  readonly paperColumn: number;
  readonly paperName: string;
}

export const TASKS = {
  inpaint: {
    id: 'inpaint',
    label: 'Inpaint',
    hint: 'Fill the painted damage (or the centre 8x8 words when nothing is painted).',
    classical: { short: 'Telea', long: 'Telea inpainting of the same cells' },
    paperCells: 'centre',
    sequential: true,
    blindExamples: 'intact',
    local: 'always',
    fields: ['mask'],
    paperColumn: 0,
    paperName: 'inpainting',
  },
  outpaint: {
    id: 'outpaint',
    label: 'Outpaint',
    hint: 'Extend the canvas with the extender (X), or invent the painted / bottom-half area.',
    classical: { short: 'Telea', long: 'Telea inpainting of the same cells' },
    paperCells: 'bottom-half',
    sequential: true,
    blindExamples: 'intact',
    local: 'always',
    fields: ['mask', 'extend'],
    paperColumn: 1,
    paperName: 'outpainting',
  },
  deblur: {
    id: 'deblur',
    label: 'Deblur',
    hint: 'Blur the view (or a brushed region of it) with a Gaussian, then restore the sharp words.',
    classical: { short: 'Wiener', long: 'Wiener deconvolution with the known blur' },
    paperCells: 'all',
    sequential: false,
    blindExamples: 'bank',
    local: 'with-region',
    fields: ['blurKernel', 'blurSigma', 'blurRegion', 'resolution'],
    paperColumn: 2,
    paperName: 'deblurring',
  },
  shift: {
    id: 'shift',
    label: 'Shift-restore',
    hint: 'Displace the content by dx, dy at 128 px, then move it back.',
    classical: null,
    paperCells: 'all',
    sequential: false,
    blindExamples: 'bank',
    local: 'never',
    fields: ['shift', 'resolution'],
    paperColumn: 4,
    paperName: 'shift',
  },
  rotate: {
    id: 'rotate',
    label: 'Rotation-restore',
    hint: 'Turn the view by quarter turns, then turn it back.',
    classical: null,
    paperCells: 'all',
    sequential: false,
    blindExamples: 'bank',
    local: 'never',
    fields: ['quarterTurns', 'resolution'],
    paperColumn: 3,
    paperName: 'rotation',
  },
} as const satisfies { readonly [T in Task]: TaskDescriptor & { readonly id: T } };

/**
 * Tasks that corrupt and restore every word of the view (no marked region of their own): the ones that work tile
 * by tile at a photo's full resolution.
 */
export type WholeImageTask = {
  [T in Task]: (typeof TASKS)[T]['paperCells'] extends 'all' ? T : never;
}[Task];

export function isWholeImageTask(task: Task): task is WholeImageTask {
  return TASKS[task].paperCells === 'all';
}

export const PROTOCOLS: { readonly [P in Protocol]: { readonly label: string; readonly hint: string } } = {
  reference: {
    label: 'Reference — uses the clean reference',
    hint: "The paper's evaluation: in-context examples are built from the clean photo's own words.",
  },
  blind: {
    label: 'Blind',
    hint: 'No clean reference: examples come from the intact part of the photo or other images degraded alike.',
  },
};

/** The displacement a shift run applies when none is given: one token cell at 128 px. */
export const DEFAULT_SHIFT = { dx: 8, dy: 8 } as const;
/** The rotation a rotate run applies when none is given. */
export const DEFAULT_QUARTER_TURNS = 1;

export function isTask(value: unknown): value is Task {
  return typeof value === 'string' && (TASK_IDS as readonly string[]).includes(value);
}

export function isProtocol(value: unknown): value is Protocol {
  return typeof value === 'string' && (PROTOCOL_IDS as readonly string[]).includes(value);
}

/** The tasks in the order of the paper's results table. */
export function paperTaskOrder(): Task[] {
  return [...TASK_IDS].sort((a, b) => TASKS[a].paperColumn - TASKS[b].paperColumn);
}

/** Whether a run restores only marked cells and keeps the rest of the photo (a region brushed or not). */
export function isLocalRepair(task: Task, hasRegion: boolean): boolean {
  const { local } = TASKS[task];
  return local === 'always' || (local === 'with-region' && hasRegion);
}

/**
 * Why this task cannot run under this protocol, or null when it can. The reference protocol builds its examples
 * from the clean photo's own words, so a canvas grown past the photo (which has no clean pixels) needs blind.
 */
export function protocolRefusal(task: Task, protocol: Protocol, extendsCanvas: boolean): string | null {
  if (task === 'outpaint' && extendsCanvas && protocol === 'reference') {
    return 'An extended canvas has no clean reference to build examples from: choose the blind protocol.';
  }
  return null;
}

/** Whether `task` reads this request field (and so the editor offers what sets it). */
export function readsField(task: Task, field: TaskField): boolean {
  return (TASKS[task].fields as readonly TaskField[]).includes(field);
}

/** The first request field that `task` does not read, or undefined (blurKernel is tolerated everywhere). */
export function misplacedField(task: Task, present: (field: TaskField) => boolean): TaskField | undefined {
  const own: readonly TaskField[] = TASKS[task].fields;
  const all: readonly TaskField[] = [
    'mask',
    'extend',
    'blurSigma',
    'blurRegion',
    'shift',
    'quarterTurns',
    'resolution',
  ];
  return all.find((field) => !own.includes(field) && present(field));
}
