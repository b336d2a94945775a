// Next-token probabilities through node-llama-cpp, as the GGUF checks (verify_gguf.mjs, test_export.mjs) read them.
//   nextProbabilities(seq, ids): a fresh history, the ids evaluated, the Map id -> probability after the last one
//   (node-llama-cpp orders it by probability, so its first key is the argmax);
//   worstLogprobDiff(probs, ids, logprobs): the largest |log p - reference| over the given ids.
export async function nextProbabilities(seq, ids) {
  await seq.clearHistory();
  const items = ids.map((t, j) => (j === ids.length - 1 ? [t, { generateNext: { probabilities: true } }] : t));
  const evaluated = await seq.controlledEvaluate(items);
  return evaluated[evaluated.length - 1].next.probabilities;
}

export const argmax = (probs) => probs.keys().next().value;

export function worstLogprobDiff(probs, ids, logprobs) {
  let worst = 0;
  for (const [k, id] of ids.entries()) {
    worst = Math.max(worst, Math.abs(Math.log(Math.max(probs.get(id) ?? 0, 1e-30)) - logprobs[k]));
  }
  return worst;
}
