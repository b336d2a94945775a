/**
 * What a restoration will cost before it runs: the language model's work (prompts, tokens) counted from the
 * request, and its speed on this machine as measured. Registered in api.ts next to the rest of the contract.
 */
import { restoreRequestValidator, type RestoreRequest } from './restore';
import { boolean, object, type Validator } from './validate';

/** Where an estimate's speed comes from, best first. */
export type EstimateBasis =
  /** Earlier restorations with this model, threads and sequences. */
  | 'runs'
  /** A short measurement of this model on this machine (a few of the restoration's own prompts). */
  | 'calibration'
  /** Another model measured here, scaled by the two models' parameter counts: rough. */
  | 'scaled'
  /** Nothing measured on this machine yet. */
  | 'none';

export interface RestoreEstimate {
  /** Expected seconds of the language model's work; null when nothing has been measured to go by. */
  readonly seconds: number | null;
  readonly basis: EstimateBasis;
  /** Restorations the speed was measured on ('runs' basis). */
  readonly runs: number;
  readonly prompts: number;
  readonly promptTokens: number;
  /** Tokens the model evaluates (prompt tokens not served from its cache, plus each fed-back word). */
  readonly evaluatedTokens: number;
  readonly model: {
    readonly name: string;
    readonly parameters: number | null;
    readonly quantisation: string | null;
  };
  /** Threads the model runs with (0 for a llama-server, whose threads are its own). */
  readonly threads: number;
  /** Whether the model is loaded: when not, loading it comes on top (seconds for a big GGUF). */
  readonly loaded: boolean;
  /** Whether a calibration would be this estimate's basis (the basis is 'scaled' or 'none'). */
  readonly canCalibrate: boolean;
  /** For people: "About 9 min with llama-2-7b (6.74 B parameters, Q4_K_M) on 2 CPU threads (3 earlier runs)". */
  readonly text: string;
}

export interface EstimateApi {
  /**
   * The expected time of a restoration. With `calibrate`, a model not yet measured here is measured first on a
   * few of the restoration's own prompts (loading it if needed); refused with BUSY while a restoration holds it.
   */
  estimateRestore(input: { request: RestoreRequest; calibrate: boolean }): Promise<RestoreEstimate>;
}

export const ESTIMATE_VALIDATORS: {
  readonly estimateRestore: Validator<{ request: RestoreRequest; calibrate: boolean }>;
} = {
  estimateRestore: object({ request: restoreRequestValidator, calibrate: boolean }),
};
