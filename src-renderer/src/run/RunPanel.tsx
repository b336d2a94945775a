import { ChoiceRadios, TaskRadios } from '../components/ChoiceRadios';
import type { ModelInfo } from '../../../src-shared/contract/export';
import type { Protocol, Task } from '../../../src-shared/contract/restore';
import { PROTOCOL_IDS, PROTOCOLS, TASKS } from '../../../src-shared/tasks/registry';
import type { MaskRaster } from '../editor/mask-raster';
import type { EditorApi } from '../editor/useEditor';
import { TokenGrid } from '../results/TokenGrid';
import { RENDERER_TASKS } from './task-sides';
import type { JobState } from './useRestoreJob';
import type { EstimateState } from './useRestoreEstimate';
import { describeLmFigures } from './lm-figures';

interface RunPanelProps {
  readonly task: Task;
  readonly onTask: (task: Task) => void;
  readonly protocol: Protocol;
  readonly onProtocol: (protocol: Protocol) => void;
  readonly editor: EditorApi;
  readonly raster: MaskRaster;
  readonly width: number;
  readonly height: number;
  readonly models: ModelInfo | null;
  readonly blockedReason: string | null;
  readonly job: JobState;
  readonly busy: boolean;
  readonly estimate: EstimateState;
  readonly onRun: () => void;
  readonly onCancel: () => void;
}

const seconds = (s: number) =>
  s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;

/** Task, protocol, models, and the run with its live progress and predicted words. */
export function RunPanel(props: RunPanelProps) {
  const { job, models } = props;
  const progress = job.snapshot?.progress ?? null;
  const liveStates = Array.from({ length: 256 }, (_, i) =>
    job.live.has(i) ? ('predicted' as const) : ('pending' as const),
  );
  const liveCells = Array.from({ length: 256 }, (_, i) => job.live.get(i));
  const liveConfidence = new Map([...job.live].map(([cell, c]) => [cell, c.confidence]));
  const TaskOptions = RENDERER_TASKS[props.task].Options;
  return (
    <aside className="run-panel" aria-label="Restoration">
      <fieldset>
        <legend>Task</legend>
        <TaskRadios name="task" testIdPrefix="task-" value={props.task} onChange={props.onTask} />
        <p className="hint">{TASKS[props.task].hint}</p>
        <TaskOptions editor={props.editor} raster={props.raster} width={props.width} height={props.height} />
      </fieldset>
      <fieldset>
        <legend>Protocol</legend>
        <ChoiceRadios
          name="protocol"
          testIdPrefix="protocol-"
          ids={PROTOCOL_IDS}
          value={props.protocol}
          label={(p) => (
            <span>
              {PROTOCOLS[p].label}
              <span className="hint block">{PROTOCOLS[p].hint}</span>
            </span>
          )}
          onChange={props.onProtocol}
        />
      </fieldset>
      <section className="models" aria-label="Models in use" data-testid="model-info">
        <h3>Models</h3>
        {models === null ? (
          <p className="hint">Looking for models…</p>
        ) : (
          <dl>
            <dt>Tokenizer pack</dt>
            <dd className={models.tokenizer ? '' : 'error-text'}>
              {models.tokenizer?.name ?? models.tokenizerError}
            </dd>
            <dt>Language model</dt>
            <dd className={models.lm ? '' : 'error-text'}>
              {models.lm ? `${models.lm.name} (${Math.round(models.lm.bytes / 1e6)} MB)` : models.lmError}
              {models.lm?.measured && (
                <span className="hint block" data-testid="lm-figures">
                  {describeLmFigures(models.lm.measured)}
                </span>
              )}
            </dd>
          </dl>
        )}
      </section>
      <div className="run-actions">
        {props.busy ? (
          <button
            type="button"
            className="danger"
            data-testid="cancel-button"
            disabled={job.status === 'cancelling'}
            onClick={props.onCancel}
          >
            {job.status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            data-testid="run-button"
            disabled={props.blockedReason !== null}
            title="Run the restoration (Ctrl+Enter)"
            onClick={props.onRun}
          >
            Run
          </button>
        )}
        {props.blockedReason && !props.busy && (
          <p className="hint" data-testid="run-blocked">
            {props.blockedReason}
          </p>
        )}
        {props.blockedReason === null && !props.busy && <EstimateLine {...props.estimate} />}
      </div>
      <div
        className="job-status"
        data-testid="job-status"
        data-status={job.status}
        role="status"
        aria-live="polite"
      >
        {job.status === 'starting' && 'Starting…'}
        {progress && props.busy && (
          <>
            <progress max={progress.of} value={progress.step} aria-label="Restoration progress" />
            <p data-testid="progress-text">
              {progress.message}: step {progress.step} of {progress.of}
              {progress.tokensPerSecond === undefined
                ? ''
                : ` · ${progress.tokensPerSecond.toFixed(0)} tokens/s`}
              {progress.etaSeconds === undefined ? '' : ` · about ${seconds(progress.etaSeconds)} left`}
            </p>
          </>
        )}
        {job.status === 'cancelled' && <p data-testid="job-cancelled">Cancelled. Nothing was changed.</p>}
        {job.status === 'done' && <p>Done: the results are open.</p>}
      </div>
      {(props.busy || job.live.size > 0) && job.status !== 'done' && (
        <TokenGrid
          label={`Predicted words (${job.live.size})`}
          testId="grid-live"
          cells={liveCells}
          states={liveStates}
          hovered={null}
          onHover={() => undefined}
          confidence={liveConfidence}
        />
      )}
    </aside>
  );
}

/** What the run will cost, before it starts: "About 2 min with <model> on 2 CPU threads (...)". */
function EstimateLine({ estimate, measuring, problem, measure }: EstimateState) {
  if (measuring) {
    return (
      <p className="hint" data-testid="run-estimate" data-basis="measuring">
        Measuring this model's speed on this machine…
      </p>
    );
  }
  if (problem !== null) return <p className="hint">{problem}</p>;
  if (estimate === null) return null;
  return (
    <p className="hint" data-testid="run-estimate" data-basis={estimate.basis}>
      {estimate.text}
      {estimate.canCalibrate && (
        <>
          {' '}
          <button type="button" className="link" data-testid="measure-speed" onClick={measure}>
            Measure its speed
          </button>
        </>
      )}
    </p>
  );
}
