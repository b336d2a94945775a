import type { RunView } from '../../../src-shared/contract/restore';
import { TASKS } from '../../../src-shared/tasks/registry';

const fmt = (v: number | undefined, digits: number, unit = '') =>
  v === undefined ? '—' : `${v.toFixed(digits)}${unit}`;

interface Column {
  readonly heading: string;
  readonly title?: string;
  /** Suffix of the metric keys (psnr<suffix>, ssim<suffix>) and of the cells' test ids. */
  readonly key: string;
  readonly accuracy: string;
}

/**
 * PSNR, SSIM and token accuracy against the original, with the corrupted input's figures for scale and, where
 * the run measured them, what the result is set beside: the original's own words decoded the same way (the most
 * any language model could reach with this tokenizer, which tells the LM's shortfall from the tokenizer's), and
 * the task's classical restoration (where the LM wins and where it loses).
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
  const perfect = m['psnr_clean_words'];
  const classical = m['psnr_classical'] === undefined ? null : TASKS[run.task].classical;
  const columns: Column[] = [
    { heading: 'Corrupted', key: '_corrupted', accuracy: '—' },
    {
      heading: 'Restored',
      key: '',
      accuracy: accuracy === undefined ? '—' : `${(accuracy * 100).toFixed(1)} %`,
    },
    ...(perfect === undefined
      ? []
      : [
          {
            heading: 'Perfect words',
            title:
              "The original photo's own words, decoded and placed like the result: what a perfect language model would give with this tokenizer",
            key: '_clean_words',
            accuracy: '100.0 %',
          },
        ]),
    ...(classical === null
      ? []
      : [
          {
            heading: 'Classical',
            title: `The classical restoration, for contrast: ${classical.long}`,
            key: '_classical',
            accuracy: '—',
          },
        ]),
  ];
  const psnr = m['psnr'];
  const corrupted = m['psnr_corrupted'];
  const below = psnr !== undefined && corrupted !== undefined && psnr < corrupted;
  const testId = (metric: string, key: string) => `metric-${metric}${key.replaceAll('_', '-')}`;
  return (
    <>
      <table className="metrics" data-testid="metrics">
        <caption>
          Against the original
          {run.tiles ? ` photo at its own size, over all ${run.tiles.count} tiles` : ''}
          {run.usesCleanReference ? ' (reference protocol: uses the clean reference)' : ' (blind protocol)'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {columns.map((c) => (
              <th key={c.heading} scope="col" title={c.title}>
                {c.heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">PSNR</th>
            {columns.map((c) => (
              <td key={c.heading} data-testid={testId('psnr', c.key)}>
                {fmt(m[`psnr${c.key}`], 2, ' dB')}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">SSIM</th>
            {columns.map((c) => (
              <td key={c.heading} data-testid={testId('ssim', c.key)}>
                {fmt(m[`ssim${c.key}`], 3)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Token accuracy</th>
            {columns.map((c) => (
              <td key={c.heading} data-testid={c.key === '' ? 'metric-accuracy' : undefined}>
                {c.accuracy}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      {m['seam_ratio'] !== undefined && (
        <p className="hint" data-testid="metric-seams">
          Seams: step energy where tiles meet {fmt(m['seam_ratio'], 2)} against {fmt(m['seam_control'], 2)}{' '}
          inside the tiles (relative to the photo's own; near the second, no join shows).
        </p>
      )}
      {below && (
        <p className="hint" data-testid="metrics-below">
          {perfect !== undefined && perfect < corrupted
            ? `The result is below the corrupted input, and so are the original's own words (${fmt(perfect, 2, ' dB')}): this tokenizer cannot reach the input's quality here, whatever the language model predicts.`
            : `The result is below the corrupted input: the language model's wrong words cost more than the corruption did${perfect === undefined ? '' : ` (perfect words would reach ${fmt(perfect, 2, ' dB')})`}.`}
        </p>
      )}
    </>
  );
}
