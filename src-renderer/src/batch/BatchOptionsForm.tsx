import { ChoiceRadios, TaskRadios } from '../components/ChoiceRadios';
import type { ReactElement } from 'react';
import type { Task } from '../../../src-shared/contract/restore';
import { PROTOCOL_IDS, PROTOCOLS } from '../../../src-shared/tasks/registry';
import { BlurKernelSelect, QuarterTurnsSelect, ShiftFields, TASK_ACTIONS } from '../run/task-sides';
import { batchCellsText, batchFields, type BatchOptions, type BatchField } from './batch-options';

interface FieldProps {
  readonly options: BatchOptions;
  readonly onChange: (options: BatchOptions) => void;
}

/** The control of each whole-photo option; the task's fields (the registry's) decide which are shown. */
const FIELD_CONTROLS: { readonly [F in BatchField]: (props: FieldProps) => ReactElement } = {
  blurKernel: ({ options, onChange }) => (
    <BlurKernelSelect
      value={options.doc.blurKernel}
      testId="batch-blur-kernel"
      onChange={(k) => onChange({ ...options, doc: TASK_ACTIONS.setBlurKernel.perform(options.doc, k) })}
    />
  ),
  shift: ({ options, onChange }) => (
    <ShiftFields
      value={options.doc.shift}
      testIdPrefix="batch-shift-"
      onChange={(shift) => onChange({ ...options, doc: TASK_ACTIONS.setShift.perform(options.doc, shift) })}
    />
  ),
  quarterTurns: ({ options, onChange }) => (
    <QuarterTurnsSelect
      value={options.doc.quarterTurns}
      testId="batch-quarter-turns"
      onChange={(turns) =>
        onChange({ ...options, doc: TASK_ACTIONS.setQuarterTurns.perform(options.doc, turns) })
      }
    />
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
        <TaskRadios name="batch-task" testIdPrefix="batch-task-" value={options.task} onChange={setTask} />
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
