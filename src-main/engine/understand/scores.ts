import type { LabelScore } from '../../../src-shared/contract/ask';

/** Scores per label, best first: log-likelihood, its mean per token, and the softmax over labels. */
export function labelScores(
  labels: readonly string[],
  logProbs: readonly (readonly number[])[],
): LabelScore[] {
  const totals = logProbs.map((lps) => lps.reduce((a, b) => a + b, 0));
  const top = Math.max(...totals);
  const weights = totals.map((t) => Math.exp(t - top));
  const sum = weights.reduce((a, b) => a + b, 0);
  return labels
    .map((label, i) => ({
      label,
      logLikelihood: totals[i] ?? -Infinity,
      meanLogProb: (totals[i] ?? 0) / Math.max(1, logProbs[i]?.length ?? 1),
      probability: (weights[i] ?? 0) / sum,
      tokens: logProbs[i]?.length ?? 0,
    }))
    .sort((a, b) => b.logLikelihood - a.logLikelihood);
}
