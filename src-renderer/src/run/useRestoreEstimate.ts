import { useCallback, useEffect, useState } from 'react';
import type { RestoreEstimate } from '../../../src-shared/contract/estimate';
import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';

export interface EstimateState {
  readonly estimate: RestoreEstimate | null;
  /** A calibration is running (the model is being measured). */
  readonly measuring: boolean;
  /** Why the estimate is missing, when the engine said (e.g. a restoration holds the model). */
  readonly problem: string | null;
  /** Measures the chosen model on this restoration's first prompts (loading it if needed). */
  readonly measure: () => void;
}

/** The editor changes the request on every stroke: ask once it has been still this long. */
const SETTLE_MS = 400;
/** Tokens a calibration evaluates at least (two ~200-token prompts, more for a small model). */
const CALIBRATION_TOKENS = 600;
/** Measured without asking when it should take no longer than this. */
const AUTO_CALIBRATION_SECONDS = 3;
/** A model this small loads and measures in about a second, even when nothing is known of this machine. */
const SMALL_MODEL_PARAMETERS = 50e6;

/**
 * The expected time of the restoration the Run panel would start: refreshed when the request settles and after
 * each job (whose measured speed the next estimate uses). A model not measured here yet is measured
 * automatically when that is quick; otherwise the panel offers to.
 */
export function useRestoreEstimate(request: RestoreRequest | null, busy: boolean): EstimateState {
  const [estimate, setEstimate] = useState<RestoreEstimate | null>(null);
  const [measuring, setMeasuring] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  const key = request === null ? null : JSON.stringify(request);

  useEffect(() => {
    if (key === null || busy) return;
    const wanted = JSON.parse(key) as RestoreRequest;
    // Set false when the request changes: a late answer for an older request is dropped.
    const live = { current: true };
    const stale = () => !live.current;
    const timer = setTimeout(() => {
      void (async () => {
        try {
          let next = await studio.estimateRestore({ request: wanted, calibrate: false });
          if (stale()) return;
          setEstimate(next);
          setProblem(null);
          if (next.canCalibrate && (asked > 0 || quickToMeasure(next))) {
            setMeasuring(true);
            next = await studio.estimateRestore({ request: wanted, calibrate: true });
            if (!stale()) setEstimate(next);
          }
        } catch (error) {
          if (stale()) return;
          setEstimate(null);
          // A request the engine refuses says why when it is run; a busy model is worth saying here.
          const payload = errorPayloadOf(error);
          setProblem(payload.code === 'BUSY' ? payload.message : null);
        } finally {
          if (!stale()) setMeasuring(false);
        }
      })();
    }, SETTLE_MS);
    return () => {
      live.current = false;
      clearTimeout(timer);
    };
  }, [key, busy, asked]);

  const measure = useCallback(() => setAsked((n) => n + 1), []);
  return { estimate, measuring, problem, measure };
}

function quickToMeasure(estimate: RestoreEstimate): boolean {
  const { parameters } = estimate.model;
  if (estimate.basis === 'scaled' && estimate.seconds !== null && estimate.evaluatedTokens > 0) {
    return (estimate.seconds / estimate.evaluatedTokens) * CALIBRATION_TOKENS < AUTO_CALIBRATION_SECONDS;
  }
  return parameters !== null && parameters <= SMALL_MODEL_PARAMETERS;
}
