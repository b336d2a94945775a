import type { LmMeasured } from '../../../src-preload/contract/export';

/**
 * One line of what a language model was measured to do (eval lm --record): its held-out text loss, which says
 * whether it is a language model at all (uniform guessing is 10.37 nats, a unigram model about 7.5), and its copy
 * figures, which say whether it can restore in context.
 */
export function describeLmFigures(m: LmMeasured): string {
  return (
    `held-out loss ${m.valLoss.toFixed(2)} nats/token · copy ${m.copyNoisy10.toFixed(2)} noisy, ` +
    `${m.copyClean10.toFixed(2)} clean · repeat ${m.repeatCopy.toFixed(2)} (measured ${m.measuredOn})`
  );
}
