import type { RunView } from '../../../src-preload/contract/restore';

const fmt = (v: number | undefined, digits: number, unit = '') =>
  v === undefined ? '—' : `${v.toFixed(digits)}${unit}`;

/** PSNR, SSIM and token accuracy against the original, with the corrupted input's figures for scale. */
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
  return (
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
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">PSNR</th>
          <td>{fmt(m['psnr_corrupted'], 2, ' dB')}</td>
          <td data-testid="metric-psnr">{fmt(m['psnr'], 2, ' dB')}</td>
        </tr>
        <tr>
          <th scope="row">SSIM</th>
          <td>{fmt(m['ssim_corrupted'], 3)}</td>
          <td data-testid="metric-ssim">{fmt(m['ssim'], 3)}</td>
        </tr>
        <tr>
          <th scope="row">Token accuracy</th>
          <td>—</td>
          <td data-testid="metric-accuracy">
            {accuracy === undefined ? '—' : `${(accuracy * 100).toFixed(1)} %`}
          </td>
        </tr>
      </tbody>
    </table>
  );
}
