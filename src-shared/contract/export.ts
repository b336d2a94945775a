/**
 * Export and model information: the part of the contract that writes a finished run out of the studio, and
 * says which models a restoration would use. Registered in api.ts next to the rest of the contract.
 */
import { array, boolean, literal, none, number, object, optional, type Validator } from './validate';

/** What can be exported from a finished run. */
export type ExportItem =
  /** The restored image, as the 128 px view or pasted back into the photo (see `source`). */
  | 'image'
  /** The corrupted, clean and corrected token grids with ids and text, as JSON (every tile of a tiled run). */
  | 'grids-json'
  /** The same grids as CSV, one row per cell. */
  | 'grids-csv'
  /** A PNG render of the three grids, colour-coded as in the studio. */
  | 'grids-png'
  /**
   * One PNG with the corrupted, decoded, restored and original images side by side, with the metrics; for a
   * full-resolution run, the whole photo's above the shown tile's.
   */
  | 'sheet'
  /** The run record (parameters, models, metrics, timings, grids) as JSON. */
  | 'record';

export const EXPORT_ITEMS: readonly ExportItem[] = [
  'image',
  'grids-json',
  'grids-csv',
  'grids-png',
  'sheet',
  'record',
];

export type ExportFormat = 'png' | 'jpeg' | 'webp';

export interface ExportRequest {
  readonly runId: number;
  readonly items: readonly ExportItem[];
  /** Format of the restored image; the other images are always PNG. Defaults to png. */
  readonly format?: ExportFormat;
  /** 1..100 for JPEG and WebP. Defaults to 92. */
  readonly quality?: number;
  /** 'view': the 128 px restored view; 'photo': the photo with the result pasted back, where the run has one. */
  readonly source?: 'view' | 'photo';
  /**
   * A full-resolution run's tile that the 128 px image, the grids PNG and the sheet show (0 when not given); the
   * grids JSON and CSV hold every tile. Only a run restored tile by tile has tiles past 0.
   */
  readonly tile?: number;
  /** Replace files that already exist. Without it an existing file fails the export with OUTPUT_EXISTS. */
  readonly overwrite?: boolean;
}

export interface ExportedFile {
  readonly item: ExportItem;
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

export interface ExportResult {
  readonly folder: string;
  readonly files: readonly ExportedFile[];
  /** Things the user should know about what was written (a fallback taken, for example). */
  readonly notes: readonly string[];
}

/** One exported file's bytes, for a browser to save as a download. */
export interface DownloadFile {
  readonly name: string;
  /** The media type the browser saves it under. */
  readonly mime: string;
  readonly base64: string;
}

/** An export written into the data folder, with the same files' bytes for the browser to download. */
export interface DownloadResult extends ExportResult {
  readonly downloads: readonly DownloadFile[];
}

/** A language model's held-out text loss (nats/token) and copy accuracies, as eval lm measured them. */
export interface LmMeasured {
  readonly valLoss: number;
  readonly copyNoisy10: number;
  readonly copyClean10: number;
  readonly repeatCopy: number;
  readonly measuredOn: string;
}

/** The models a restoration would load now; a missing one comes with the reason and the fix. */
export interface ModelInfo {
  readonly tokenizer: { readonly name: string; readonly folder: string } | null;
  readonly tokenizerError: string | null;
  readonly lm: {
    readonly name: string;
    readonly file: string;
    readonly bytes: number;
    /** What `eval lm --record` measured on this very file (null when it was never measured). */
    readonly measured: LmMeasured | null;
  } | null;
  readonly lmError: string | null;
}

export interface ExportApi {
  /** Writes the chosen items of a finished run into the data folder's exports/ folder, atomically. */
  exportRun(input: ExportRequest): Promise<ExportResult>;
  /**
   * Desktop only: asks where to save with the native save dialog, then writes the items there, the first chosen
   * one under the picked name and the others next to it. Files that exist are replaced only after the user says
   * so (`overwrite` is ignored: the question is asked in the main process). Resolves null when the user cancels.
   */
  exportWithDialog(input: ExportRequest): Promise<ExportResult | null>;
  /**
   * The browser's export: writes the items as exportRun does, then returns their bytes so the page can hand them
   * to the browser as a download (the browser's own save-as, where the user has it on).
   */
  exportForDownload(input: ExportRequest): Promise<DownloadResult>;
  modelInfo(): Promise<ModelInfo>;
}

export const exportRequestValidator: Validator<ExportRequest> = object({
  runId: number({ integer: true, min: 1 }),
  items: array(literal('image', 'grids-json', 'grids-csv', 'grids-png', 'sheet', 'record'), { maxLength: 6 }),
  format: optional(literal('png', 'jpeg', 'webp')),
  quality: optional(number({ integer: true, min: 1, max: 100 })),
  source: optional(literal('view', 'photo')),
  tile: optional(number({ integer: true, min: 0, max: 1_000_000 })),
  overwrite: optional(boolean),
});

export const EXPORT_VALIDATORS: {
  readonly exportRun: Validator<ExportRequest>;
  readonly exportWithDialog: Validator<ExportRequest>;
  readonly exportForDownload: Validator<ExportRequest>;
  readonly modelInfo: Validator<undefined>;
} = {
  exportRun: exportRequestValidator,
  exportWithDialog: exportRequestValidator,
  exportForDownload: exportRequestValidator,
  modelInfo: none,
};
