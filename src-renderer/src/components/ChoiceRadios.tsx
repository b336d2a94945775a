import type { ReactNode } from 'react';
import type { Task } from '../../../src-shared/contract/restore';
import { TASK_IDS, TASKS } from '../../../src-shared/tasks/registry';

interface ChoiceRadiosProps<T extends string> {
  /** The radio group's name; each radio's test id is `${testIdPrefix}${id}`. */
  readonly name: string;
  readonly testIdPrefix: string;
  readonly ids: readonly T[];
  readonly value: T;
  readonly label: (id: T) => ReactNode;
  /** A tooltip per choice, where the label does not already say it. */
  readonly title?: (id: T) => string;
  readonly onChange: (id: T) => void;
}

/** One radio button per choice (a task, a protocol): the Run panel's and the Batch panel's choosers. */
export function ChoiceRadios<T extends string>(props: ChoiceRadiosProps<T>) {
  return props.ids.map((id) => (
    <label key={id} className="radio" title={props.title?.(id)}>
      <input
        type="radio"
        name={props.name}
        value={id}
        checked={props.value === id}
        data-testid={`${props.testIdPrefix}${id}`}
        onChange={() => props.onChange(id)}
      />
      {props.label(id)}
    </label>
  ));
}

/** The task chooser: one radio per task of the registry, its hint as the tooltip. */
export function TaskRadios(props: {
  readonly name: string;
  readonly testIdPrefix: string;
  readonly value: Task;
  readonly onChange: (task: Task) => void;
}) {
  return (
    <ChoiceRadios
      name={props.name}
      testIdPrefix={props.testIdPrefix}
      ids={TASK_IDS}
      value={props.value}
      label={(t) => TASKS[t].label}
      title={(t) => TASKS[t].hint}
      onChange={props.onChange}
    />
  );
}
