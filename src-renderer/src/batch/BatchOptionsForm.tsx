import { ChoiceRadios } from '../components/ChoiceRadios';
import type { ReactElement } from 'react';
import type { Task } from '../../../src-shared/contract/restore';
import { PROTOCOL_IDS, PROTOCOLS, TASK_IDS, TASKS } from '../../../src-shared/tasks/registry';
import { BLUR_KERNELS, sigmaOfKernel, TASK_ACTIONS, type QuarterTurns } from '../run/task-sides';
import { batchCellsText, batchFields, type BatchOptions, type BatchField } from './batch-options';

interface FieldProps {
  readonly options: BatchOptions;
  readonly onChange: (options: BatchOptions) => void;
}

/** The control of each whole-photo option; the task's fields (the registry's) decide which are shown. */
const FIELD_CONTROLS: { readonly [F in BatchField]: (props: FieldProps) => ReactElement } = {
  blurKernel: ({ options, onChange }) => (
    <label>
      Blur kernel (sigma ≈ {sigmaOfKernel(options.doc.blurKernel).toFixed(2)} px at 128 px)
      <select
        value={options.doc.blurKernel}
        data-testid="batch-blur-kernel"
        onChange={(e) =>
          onChange({
            ...options,
            doc: TASK_ACTIONS.setBlurKernel.perform(options.doc, Number(e.target.value)),
          })
        }
      >
        {BLUR_KERNELS.map((k) => (
          <option key={k} value={k}>
            {k} × {k}
          </option>
        ))}
      </select>
    </label>
  ),
  shift: ({ options, onChange }) => (
    <div className="field-grid">
      {(['dx', 'dy'] as const).map((axis) => (
        <label key={axis}>
          {axis} (px at 128)
          <input
            type="number"
            min={-64}
            max={64}
            value={options.doc.shift[axis]}
            data-testid={`batch-shift-${axis}`}
            onChange={(e) =>
              onChange({
                ...options,
                doc: TASK_ACTIONS.setShift.perform(options.doc, {
                  ...options.doc.shift,
                  [axis]: Number(e.target.value),
                }),
              })
            }
          />
        </label>
      ))}
    </div>
  ),
  quarterTurns: ({ options, onChange }) => (
    <label>
      Rotation (counter-clockwise)
      <select
        value={options.doc.quarterTurns}
        data-testid="batch-quarter-turns"
        onChange={(e) =>
          onChange({
            ...options,
            doc: TASK_ACTIONS.setQuarterTurns.perform(options.doc, Number(e.target.value) as QuarterTurns),
          })
        }
      >
        <option value={1}>90°</option>
        <option value={2}>180°</option>
        <option value={3}>270°</option>
      </select>
    </label>
  ),
  resolution: ({ options, onChange }) => (
    <label className="radio" title="Restore each photo at its own size, tile by tile">
      <input
        type="checkbox"
        checked={options.doc.fullResolution}
        data-testid="batch-full-resolution"
        onChange={(e) =>
          onChange({ ...options, doc: TASK_ACTIONS.setFullResolution.perform(options.doc, e.target.checked) })
        }
      />
      Full resolution
    </label>
  ),
};

/** The task, protocol and whole-photo options every photo of the batch is restored with. */
export function BatchOptionsForm({ options, onChange }: FieldProps) {
  const setTask = (task: Task) => onChange({ ...options, task });
  return (
    <div className="batch-options">
      <fieldset>
        <legend>Task</legend>
        <ChoiceRadios
          name="batch-task"
          testIdPrefix="batch-task-"
          ids={TASK_IDS}
          value={options.task}
          label={(t) => TASKS[t].label}
          title={(t) => TASKS[t].hint}
          onChange={setTask}
        />
        <p className="hint" data-testid="batch-cells">
          {batchCellsText(options)}
        </p>
        {batchFields(options.task).map((field) => {
          const Control = FIELD_CONTROLS[field];
          return <Control key={field} options={options} onChange={onChange} />;
        })}
      </fieldset>
      <fieldset>
        <legend>Protocol</legend>
        <ChoiceRadios
          name="batch-protocol"
          testIdPrefix="batch-protocol-"
          ids={PROTOCOL_IDS}
          value={options.protocol}
          label={(p) => PROTOCOLS[p].label}
          title={(p) => PROTOCOLS[p].hint}
          onChange={(protocol) => onChange({ ...options, protocol })}
        />
        <p className="hint">{PROTOCOLS[options.protocol].hint}</p>
      </fieldset>
    </div>
  );
}
