import type { RunView } from '../../../src-preload/contract/restore';

const fmt = (v: number | undefined, digits: number, unit = '') =>
  v === undefined ? '—' : `${v.toFixed(digits)}${unit}`;

/**
 * PSNR, SSIM and token accuracy against the original, with the corrupted input's figures for scale and, where
 * the run measured them, the original's own words decoded the same way: the most any language model could reach
 * with this tokenizer, which tells the LM's shortfall from the tokenizer's.
 */
export function MetricsTable({ run, comparable }: { run: RunView; comparable: boolean }) {
  const m = run.metrics;
  if (!m || !comparable) {
    return (
      <p className="hint" data-testid="metrics-none">
        No metrics: this run has no clean original to measure against.
      </p>
    );
  }
  const accuracy = m['token_accuracy'];
  const ceiling = m['psnr_clean_words'] !== undefined;
  const psnr = m['psnr'];
  const corrupted = m['psnr_corrupted'];
  const below = psnr !== undefined && corrupted !== undefined && psnr < corrupted;
  return (
    <>
      <table className="metrics" data-testid="metrics">
        <caption>
          Against the original
          {run.usesCleanReference ? ' (reference protocol: uses the clean reference)' : ' (blind protocol)'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Corrupted</th>
            <th scope="col">Restored</th>
            {ceiling && (
              <th
                scope="col"
                title="The original photo's own words, decoded and placed like the result: what a perfect language model would give with this tokenizer"
              >
                Perfect words
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">PSNR</th>
            <td>{fmt(m['psnr_corrupted'], 2, ' dB')}</td>
            <td data-testid="metric-psnr">{fmt(m['psnr'], 2, ' dB')}</td>
            {ceiling && <td data-testid="metric-psnr-clean-words">{fmt(m['psnr_clean_words'], 2, ' dB')}</td>}
          </tr>
          <tr>
            <th scope="row">SSIM</th>
            <td>{fmt(m['ssim_corrupted'], 3)}</td>
            <td data-testid="metric-ssim">{fmt(m['ssim'], 3)}</td>
            {ceiling && <td>{fmt(m['ssim_clean_words'], 3)}</td>}
          </tr>
          <tr>
            <th scope="row">Token accuracy</th>
            <td>—</td>
            <td data-testid="metric-accuracy">
              {accuracy === undefined ? '—' : `${(accuracy * 100).toFixed(1)} %`}
            </td>
            {ceiling && <td>100.0 %</td>}
          </tr>
        </tbody>
      </table>
      {below && (
        <p className="hint" data-testid="metrics-below">
          {ceiling && (m['psnr_clean_words'] ?? 0) < corrupted
            ? `The result is below the corrupted input, and so are the original's own words (${fmt(m['psnr_clean_words'], 2, ' dB')}): this tokenizer cannot reach the input's quality here, whatever the language model predicts.`
            : `The result is below the corrupted input: the language model's wrong words cost more than the corruption did${ceiling ? ` (perfect words would reach ${fmt(m['psnr_clean_words'], 2, ' dB')})` : ''}.`}
        </p>
      )}
    </>
  );
}
