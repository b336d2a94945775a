import { useCallback, useMemo, useReducer } from 'react';
import { EMPTY_DOC, TASK_ACTIONS } from '../run/task-sides';
import { ACTIONS } from './actions';
import type { EditorDoc } from './document';
import { EMPTY_HISTORY, record, redo, undo, type History } from './history';

interface EditorState {
  readonly doc: EditorDoc;
  readonly history: History;
}

type EditorEvent =
  | { readonly type: 'perform'; readonly name: ActionName; readonly payload: unknown; readonly at: number }
  | { readonly type: 'undo' }
  | { readonly type: 'redo' }
  | { readonly type: 'reset' }
  | { readonly type: 'load'; readonly doc: EditorDoc };

/** Every named edit: those all tasks share, and each task's own options (its side declares them). */
const EDITOR_ACTIONS = { ...ACTIONS, ...TASK_ACTIONS };
export type ActionMap = typeof EDITOR_ACTIONS;
export type ActionName = keyof ActionMap;
export type PayloadOf<N extends ActionName> = Parameters<ActionMap[N]['perform']>[1];

const INITIAL: EditorState = { doc: EMPTY_DOC, history: EMPTY_HISTORY };

function reducer(state: EditorState, event: EditorEvent): EditorState {
  switch (event.type) {
    case 'perform': {
      const action = EDITOR_ACTIONS[event.name] as {
        name: string;
        label: string;
        coalesce?: boolean;
        perform: (doc: EditorDoc, payload: unknown) => EditorDoc;
      };
      const after = action.perform(state.doc, event.payload);
      if (after === state.doc) return state;
      return {
        doc: after,
        history: record(
          state.history,
          { name: action.name, label: action.label, before: state.doc, after, at: event.at },
          action.coalesce === true,
        ),
      };
    }
    case 'undo': {
      const step = undo(state.history);
      return step ? { doc: step.doc, history: step.history } : state;
    }
    case 'redo': {
      const step = redo(state.history);
      return step ? { doc: step.doc, history: step.history } : state;
    }
    case 'reset':
      return INITIAL;
    case 'load':
      // Work restored from the store: undo starts from here, since the steps that led to it were not kept.
      return { doc: event.doc, history: EMPTY_HISTORY };
  }
}

/** The editor's document and its history; edits go only through named actions. */
export function useEditor() {
  const [state, send] = useReducer(reducer, INITIAL);
  const perform = useCallback(<N extends ActionName>(name: N, payload: PayloadOf<N>) => {
    send({ type: 'perform', name, payload, at: performance.now() });
  }, []);
  const api = useMemo(
    () => ({
      perform,
      undo: () => send({ type: 'undo' }),
      redo: () => send({ type: 'redo' }),
      reset: () => send({ type: 'reset' }),
      load: (doc: EditorDoc) => send({ type: 'load', doc }),
    }),
    [perform],
  );
  return {
    doc: state.doc,
    canUndo: state.history.past.length > 0,
    canRedo: state.history.future.length > 0,
    undoLabel: state.history.past.at(-1)?.label ?? null,
    redoLabel: state.history.future[0]?.label ?? null,
    ...api,
  };
}

export type EditorApi = ReturnType<typeof useEditor>;
