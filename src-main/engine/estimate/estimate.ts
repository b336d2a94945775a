import fs from 'node:fs';
import type { Settings } from '../../../src-shared/contract/api';
import { formatDuration } from '../../../src-shared/format';
import type { EstimateBasis, RestoreEstimate } from '../../../src-shared/contract/estimate';
import type { Protocol, RestoreRequest, Task } from '../../../src-shared/contract/restore';
import type { LanguageModelBackend } from '../llm/backend';
import { contextLayout, DEFAULT_SEQUENCES, defaultThreads } from '../llm/frozen-lm';
import { inspectGguf } from '../llm/gguf-info';
import { defaultLmPath } from '../llm/models';
import { usesBank } from '../protocol/blind';
import { corruptView } from '../restore/corruption';
import type { PreparedRestore } from '../restore/prepare';
import type { LmSpeed, LmSpeedKey, LmSpeedStore } from './lm-speed';
import type { PlanShape, PlanTokens } from './plan-tokens';

/** In-context examples a blind deblur/shift/rotation reads from its bank (blindPlan's default). */
const BANK_EXAMPLES = 10;

/** The model Settings choose, as an estimate names it and as its measured speed is filed. */
export interface ChosenLm {
  readonly key: LmSpeedKey;
  readonly name: string;
  readonly parameters: number | null;
  readonly quantisation: string | null;
  /** CPU threads it runs with here, over all its contexts; 0 for a llama-server. */
  readonly threads: number;
}

const headers = new Map<string, Promise<{ name: string; parameters: number | null; quantisation: string }>>();

/**
 * The chosen model, from Settings and (for a GGUF) its header. `loaded` gives the sequence count of the model
 * as loaded; before loading, the count it will be loaded with. `sequential`: the restoration's prompts run one
 * by one (in/outpainting), which is measured apart from batched ones.
 */
export async function chosenLm(
  settings: Settings,
  loaded: LanguageModelBackend | null,
  sequential: boolean,
): Promise<ChosenLm> {
  if (settings.lmServerUrl) {
    return {
      key: {
        model: settings.lmServerUrl,
        threads: 0,
        contexts: 1,
        sequences: loaded?.sequenceCount ?? 1,
        sequential,
      },
      name: loaded?.name ?? settings.lmServerUrl,
      parameters: null,
      quantisation: null,
      threads: 0,
    };
  }
  const file = settings.lmFile || defaultLmPath();
  const stat = fs.statSync(file);
  // The file's size and date are part of its identity: a replaced GGUF at the same path is measured anew.
  const model = `${file}|${stat.size}|${Math.round(stat.mtimeMs)}`;
  let header = headers.get(model);
  if (!header) {
    header = inspectGguf(file).then(({ info }) => info);
    headers.set(model, header);
    header.catch(() => headers.delete(model));
  }
  const info = await header;
  // As FrozenLm.load lays the model out from the same settings.
  const threads = settings.threads > 0 ? settings.threads : defaultThreads(stat.size);
  const sequences =
    loaded?.sequenceCount ?? (settings.sequences > 0 ? settings.sequences : DEFAULT_SEQUENCES);
  const contexts = contextLayout(sequences, settings.threads > 0 ? 0 : threads).length;
  return {
    key: { model, threads, contexts, sequences, sequential },
    name: info.name,
    parameters: info.parameters,
    quantisation: info.quantisation,
    threads: threads * contexts,
  };
}

/** What the plan of a prepared request looks like to the counter. */
export function planShapeOf(
  prepared: PreparedRestore,
  request: RestoreRequest,
  globalCount: number,
  sampleCount: number,
  sequences: number,
): PlanShape {
  const { cells } = corruptView(prepared.view, prepared.corruption);
  return planShape(request.task, request.protocol, cells, globalCount, sampleCount, sequences);
}

/** The counter's view of a restoration predicting `cells` of a 16x16 grid. */
export function planShape(
  task: Task,
  protocol: Protocol,
  cells: readonly boolean[],
  globalCount: number,
  sampleCount: number,
  sequences: number,
): PlanShape {
  // The bank holds each sample photo and its mirror image (restore/bank.ts).
  return {
    task,
    protocol,
    cells,
    globalCount,
    bankSize: usesBank(task, protocol) ? Math.min(BANK_EXAMPLES, 2 * sampleCount) : 0,
    sequences,
  };
}

/**
 * The estimate for counted work with the chosen model: its own measured speed when there is one, else the
 * nearest measured model's scaled by parameter count (per-token cost grows with the weights a token passes
 * through: the bench measured 1.4e-11 and 1.5e-11 s per token per parameter for a 5 M and a 110 M model here).
 */
export function estimateFrom(
  counts: PlanTokens,
  lm: ChosenLm,
  speeds: LmSpeedStore,
  loaded: boolean,
): RestoreEstimate {
  const own = speeds.get(lm.key);
  const scaled = own ? null : scaledSpeed(lm, speeds);
  const basis: EstimateBasis = own ? own.basis : scaled !== null ? 'scaled' : 'none';
  const perToken = own?.secondsPerToken ?? scaled;
  const seconds = perToken === null ? null : perToken * counts.evaluatedTokens;
  return {
    seconds,
    basis,
    runs: own?.runs ?? 0,
    prompts: counts.prompts,
    promptTokens: counts.promptTokens,
    evaluatedTokens: counts.evaluatedTokens,
    model: { name: lm.name, parameters: lm.parameters, quantisation: lm.quantisation },
    threads: lm.threads,
    loaded,
    canCalibrate: basis === 'scaled' || basis === 'none',
    text: describe(seconds, basis, own, lm, counts, loaded),
  };
}

function scaledSpeed(lm: ChosenLm, speeds: LmSpeedStore): number | null {
  const { parameters } = lm;
  if (parameters === null) return null;
  const distance = (p: number) => Math.abs(Math.log(p / parameters));
  const measured = speeds
    .all()
    .filter((s): s is typeof s & { parameters: number } => s.parameters !== null)
    // The same threads first, then the same mode: each changes the speed more than a model's size is known to.
    .sort(
      (a, b) =>
        Number(b.threads * b.contexts === lm.threads) - Number(a.threads * a.contexts === lm.threads) ||
        Number(b.sequential === lm.key.sequential) - Number(a.sequential === lm.key.sequential) ||
        distance(a.parameters) - distance(b.parameters),
    );
  const nearest = measured[0];
  return nearest ? scaleSpeed(nearest, { parameters, contexts: lm.key.contexts }) : null;
}

/**
 * The rough basis: another model's seconds per token, scaled by the parameter counts (the work per token grows
 * with them) and by the contexts each runs side by side (a model measured on two contexts at once got through
 * tokens twice as fast as one context of it would).
 */
export function scaleSpeed(
  measured: { readonly secondsPerToken: number; readonly parameters: number; readonly contexts: number },
  target: { readonly parameters: number; readonly contexts: number },
): number {
  return (
    (measured.secondsPerToken * measured.contexts * target.parameters) /
    (measured.parameters * target.contexts)
  );
}

function describe(
  seconds: number | null,
  basis: EstimateBasis,
  own: LmSpeed | null,
  lm: ChosenLm,
  counts: PlanTokens,
  loaded: boolean,
): string {
  const size = [lm.parameters !== null ? formatParameters(lm.parameters) : null, lm.quantisation]
    .filter((s) => s !== null)
    .join(', ');
  const where =
    lm.threads > 0 ? `on ${lm.threads} CPU thread${lm.threads === 1 ? '' : 's'}` : 'on its llama-server';
  const model = `${lm.name}${size ? ` (${size})` : ''} ${where}`;
  const work = `${counts.evaluatedTokens.toLocaleString('en-US')} tokens to evaluate`;
  const load = loaded ? '' : ', plus loading the model';
  if (seconds === null) return `${work} with ${model}: its speed here is not measured yet${load}.`;
  const from =
    basis === 'runs'
      ? `measured on ${own?.runs ?? 0} earlier run${own?.runs === 1 ? '' : 's'}`
      : basis === 'calibration'
        ? 'from a short measurement of this model'
        : 'rough: scaled from another model measured here';
  const lead = seconds < 1 ? 'Under a second' : `About ${formatDuration(seconds)}`;
  return `${lead} with ${model}${load} (${work}; ${from}).`;
}

export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} B parameters`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M parameters`;
  return `${Math.round(n / 1e3)} K parameters`;
}
