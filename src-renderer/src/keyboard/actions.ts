import type { Tool } from '../editor/tools';

/**
 * Every keyboard action of the studio, in one table: the keys that trigger it, where it applies, and how the
 * shortcut sheet lists it. The components that own the state bind each action id of their scope to a handler
 * (`useKeyboardScope`), and `dispatchKey` runs the entry a key event matches; the sheet renders the same rows.
 */

/**
 * Where an action applies.
 * - `global`: anywhere in the window.
 * - `workspace`: while a photo is open, in the editor or its results.
 * - `editor`: while the editor is shown.
 * - `results`: while a run's results are shown in place of the editor (so the editor's keys are free there).
 * - `wordGrid`: a focused word grid of the results.
 * - `dialog`: an open dialog (handled by the browser's own <dialog>, not dispatched from here).
 */
export type Scope = 'global' | 'workspace' | 'editor' | 'results' | 'wordGrid' | 'dialog';

/** A modifier: required (true), forbidden (false) or either ('any'). */
export type ModifierRule = boolean | 'any';

export interface KeyBinding {
  /** `KeyboardEvent.key`; a single letter matches either case. */
  readonly key: string;
  /** Ctrl or Cmd (Meta); forbidden unless said. */
  readonly mod?: ModifierRule;
  /** Shift; either unless said. */
  readonly shift?: ModifierRule;
  /** Alt; forbidden unless said. */
  readonly alt?: ModifierRule;
}

export type Group = 'General' | 'History' | 'Tools' | 'Crop' | 'Mask' | 'View' | 'Results';

export interface KeyActionSpec {
  readonly id: string;
  readonly scope: Scope;
  readonly keys: readonly KeyBinding[];
  /** What the sheet says the action does. */
  readonly label: string;
  readonly group: Group;
  /** Fires while the focus is in a text field too; single keys never do. */
  readonly whileTyping?: boolean;
  /** The key's default action (scrolling, the browser's own shortcut) is suppressed. */
  readonly preventDefault?: boolean;
  /** A key held down: its handler hears the press and the release. */
  readonly hold?: boolean;
  /** Input the browser or a pointer handler takes care of: listed in the sheet, never dispatched. */
  readonly native?: boolean;
}

const ANY = { shift: 'any', alt: 'any' } as const;

export const KEY_ACTIONS = [
  {
    id: 'openPhoto',
    scope: 'global',
    keys: [{ key: 'o', mod: true, ...ANY }],
    label: 'Open a photo',
    group: 'General',
    whileTyping: true,
    preventDefault: true,
  },
  {
    id: 'toggleShortcuts',
    scope: 'global',
    keys: [{ key: '?', mod: 'any', ...ANY }],
    label: 'Show or hide this sheet',
    group: 'General',
    preventDefault: true,
  },
  {
    id: 'runRestore',
    scope: 'workspace',
    keys: [{ key: 'Enter', mod: true, ...ANY }],
    label: 'Run the restoration',
    group: 'General',
    whileTyping: true,
    preventDefault: true,
  },
  {
    id: 'closeDialog',
    scope: 'dialog',
    keys: [{ key: 'Escape' }],
    label: 'Close a dialog',
    group: 'General',
    native: true,
  },
  {
    id: 'undo',
    scope: 'editor',
    keys: [{ key: 'z', mod: true, shift: false, alt: 'any' }],
    label: 'Undo',
    group: 'History',
    whileTyping: true,
    preventDefault: true,
  },
  {
    id: 'redo',
    scope: 'editor',
    keys: [
      { key: 'z', mod: true, shift: true, alt: 'any' },
      { key: 'y', mod: true, ...ANY },
    ],
    label: 'Redo',
    group: 'History',
    whileTyping: true,
    preventDefault: true,
  },
  {
    id: 'toolBrush',
    scope: 'editor',
    keys: [{ key: 'b' }],
    label: 'Brush: paint damage, or the region to blur',
    group: 'Tools',
  },
  { id: 'toolEraser', scope: 'editor', keys: [{ key: 'e' }], label: 'Eraser', group: 'Tools' },
  { id: 'toolRect', scope: 'editor', keys: [{ key: 'r' }], label: 'Rectangle mask', group: 'Tools' },
  {
    id: 'toolExtend',
    scope: 'editor',
    keys: [{ key: 'x' }],
    label: 'Outpaint extender: drag a canvas edge',
    group: 'Tools',
  },
  {
    id: 'toolCrop',
    scope: 'editor',
    keys: [{ key: 'c' }],
    label: 'Crop: drag the part to keep (handles resize it, inside moves it)',
    group: 'Tools',
  },
  { id: 'toolPan', scope: 'editor', keys: [{ key: 'h' }], label: 'Pan (drag)', group: 'Tools' },
  {
    id: 'panWhileHeld',
    scope: 'editor',
    keys: [{ key: ' ' }],
    label: 'Pan while held (drag)',
    group: 'Tools',
    hold: true,
    preventDefault: true,
  },
  { id: 'brushSmaller', scope: 'editor', keys: [{ key: '[' }], label: 'Smaller brush', group: 'Tools' },
  { id: 'brushLarger', scope: 'editor', keys: [{ key: ']' }], label: 'Larger brush', group: 'Tools' },
  {
    id: 'applyCrop',
    scope: 'editor',
    keys: [{ key: 'Enter' }],
    label: 'Apply the crop being drawn',
    group: 'Crop',
    preventDefault: true,
  },
  {
    id: 'cancelCrop',
    scope: 'editor',
    keys: [{ key: 'Escape' }],
    label: 'Cancel the crop being drawn',
    group: 'Crop',
  },
  { id: 'invertMask', scope: 'editor', keys: [{ key: 'i' }], label: 'Invert the mask', group: 'Mask' },
  {
    id: 'clearMask',
    scope: 'editor',
    keys: [{ key: 'Delete' }, { key: 'Backspace' }],
    label: 'Clear the mask',
    group: 'Mask',
  },
  {
    id: 'toggleGrid',
    scope: 'editor',
    keys: [{ key: 'g' }],
    label: 'Show or hide the token grid',
    group: 'View',
  },
  { id: 'fitView', scope: 'editor', keys: [{ key: 'f' }], label: 'Fit the photo in view', group: 'View' },
  { id: 'actualSize', scope: 'editor', keys: [{ key: '1' }], label: 'Zoom to 100 %', group: 'View' },
  {
    id: 'wheelZoom',
    scope: 'editor',
    keys: [{ key: 'Wheel' }],
    label: 'Zoom at the pointer',
    group: 'View',
    native: true,
  },
  // Bound by the tile picker of a full-resolution run; the editor's brush keys are the same, and never mounted then.
  { id: 'previousTile', scope: 'results', keys: [{ key: '[' }], label: 'Previous tile', group: 'Results' },
  { id: 'nextTile', scope: 'results', keys: [{ key: ']' }], label: 'Next tile', group: 'Results' },
  {
    id: 'moveCell',
    scope: 'wordGrid',
    keys: ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].map(
      (key) => ({ key, mod: 'any', ...ANY }) as const,
    ),
    label: 'Move the highlighted cell of a word grid',
    group: 'Results',
    whileTyping: true,
    preventDefault: true,
  },
  {
    id: 'leaveCell',
    scope: 'wordGrid',
    keys: [{ key: 'Escape', mod: 'any', ...ANY }],
    label: 'Stop highlighting a cell',
    group: 'Results',
    whileTyping: true,
  },
] as const satisfies readonly KeyActionSpec[];

type Entry = (typeof KEY_ACTIONS)[number];
export type ActionId = Entry['id'];
/** The scopes whose keys are dispatched from this table. */
export type DispatchedScope = Exclude<Scope, 'dialog'>;
type DispatchedEntry<S extends Scope> = Exclude<Extract<Entry, { scope: S }>, { native: true }>;
/** The actions a component mounting scope `S` must handle. */
export type ScopeActionId<S extends Scope> = DispatchedEntry<S>['id'];

/** The key event as dispatch reads it: a DOM KeyboardEvent, or anything shaped like one. */
export type KeyEventLike = Pick<
  KeyboardEvent,
  'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'target' | 'preventDefault'
>;

/** Runs an action; the `when` form applies only while its condition holds (otherwise the key is left alone). */
export type KeyHandler =
  | ((event: KeyEventLike) => void)
  | { readonly when: (event: KeyEventLike) => boolean; readonly run: (event: KeyEventLike) => void };

/** A held key: pressed, then released (the release is heard whatever the modifiers and focus). */
export interface HoldHandler {
  readonly down: () => void;
  readonly up: () => void;
}

/** One handler for every dispatched action of a scope, and no other: a missing one is a type error. */
export type ScopeHandlers<S extends DispatchedScope> = {
  readonly [E in DispatchedEntry<S> as E['id']]: E extends { hold: true } ? HoldHandler : KeyHandler;
};

/** The editor's tools and the actions that choose them. */
export const TOOL_ACTIONS = {
  brush: 'toolBrush',
  eraser: 'toolEraser',
  rect: 'toolRect',
  extend: 'toolExtend',
  crop: 'toolCrop',
  pan: 'toolPan',
} as const satisfies Record<Tool, ScopeActionId<'editor'>>;

function modifierOk(rule: ModifierRule, pressed: boolean): boolean {
  return rule === 'any' || rule === pressed;
}

function sameKey(bound: string, pressed: string): boolean {
  return /^[a-z]$/i.test(bound) ? bound.toLowerCase() === pressed.toLowerCase() : bound === pressed;
}

/** Whether a key event is the binding's key with the modifiers it allows. */
export function bindingMatches(binding: KeyBinding, event: KeyEventLike): boolean {
  return (
    sameKey(binding.key, event.key) &&
    modifierOk(binding.mod ?? false, event.ctrlKey || event.metaKey) &&
    modifierOk(binding.shift ?? 'any', event.shiftKey) &&
    modifierOk(binding.alt ?? false, event.altKey)
  );
}

function entriesOf(scope: DispatchedScope): readonly KeyActionSpec[] {
  return (KEY_ACTIONS as readonly KeyActionSpec[]).filter((a) => a.scope === scope && a.native !== true);
}

/** The ids a scope dispatches, in table order. */
export function actionIds(scope: DispatchedScope): string[] {
  return entriesOf(scope).map((a) => a.id);
}

type AnyHandler = KeyHandler | HoldHandler;

/**
 * Runs the first action of `scope` a key press matches, with the scope's handlers; returns its id, or null when
 * none applies. `typing` says whether the event comes from a text field (where only `whileTyping` actions fire).
 */
export function dispatchKey<S extends DispatchedScope>(
  scope: S,
  event: KeyEventLike,
  handlers: NoInfer<ScopeHandlers<S>>,
  typing: (event: KeyEventLike) => boolean,
): string | null {
  const byId = handlers as unknown as Readonly<Record<string, AnyHandler | undefined>>;
  for (const action of entriesOf(scope)) {
    if (!action.keys.some((b) => bindingMatches(b, event))) continue;
    if (action.whileTyping !== true && typing(event)) continue;
    const handler = byId[action.id];
    if (!handler) continue;
    if ('down' in handler) {
      handler.down();
    } else if (typeof handler === 'function') {
      handler(event);
    } else {
      if (!handler.when(event)) continue;
      handler.run(event);
    }
    if (action.preventDefault === true) event.preventDefault();
    return action.id;
  }
  return null;
}

/** Ends the held actions of `scope` whose key was released; returns their ids. */
export function releaseKey<S extends DispatchedScope>(
  scope: S,
  event: Pick<KeyEventLike, 'key'>,
  handlers: NoInfer<ScopeHandlers<S>>,
): string[] {
  const byId = handlers as unknown as Readonly<Record<string, AnyHandler | undefined>>;
  const released: string[] = [];
  for (const action of entriesOf(scope)) {
    if (action.hold !== true || !action.keys.some((b) => sameKey(b.key, event.key))) continue;
    const handler = byId[action.id];
    if (handler && 'up' in handler) {
      handler.up();
      released.push(action.id);
    }
  }
  return released;
}

const KEY_NAMES: Readonly<Record<string, string>> = {
  ' ': 'Space',
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
};

/** How the sheet writes one binding: "Shift+Ctrl/Cmd+Z", "hold Space". */
export function bindingText(binding: KeyBinding, hold = false): string {
  const parts: string[] = [];
  if (binding.shift === true) parts.push('Shift');
  if (binding.mod === true) parts.push('Ctrl/Cmd');
  if (binding.alt === true) parts.push('Alt');
  const key = binding.key;
  parts.push(KEY_NAMES[key] ?? (key.length === 1 ? key.toUpperCase() : key));
  return (hold ? 'hold ' : '') + parts.join('+');
}

export function actionById(id: ActionId): KeyActionSpec {
  const action = (KEY_ACTIONS as readonly KeyActionSpec[]).find((a) => a.id === id);
  if (!action) throw new Error(`No keyboard action ${id}`);
  return action;
}

/** The keys of an action as the sheet and tooltips write them: "Delete or Backspace". */
export function shortcutText(id: ActionId): string {
  const action = actionById(id);
  return action.keys.map((b) => bindingText(b, action.hold === true)).join(' or ');
}

export interface SheetGroup {
  readonly group: Group;
  readonly rows: readonly { readonly id: string; readonly keys: readonly string[]; readonly label: string }[];
}

/** The shortcut sheet: every action of the table, grouped, groups in the order they first appear. */
export function sheetGroups(): SheetGroup[] {
  const groups: { group: Group; rows: { id: string; keys: string[]; label: string }[] }[] = [];
  for (const action of KEY_ACTIONS as readonly KeyActionSpec[]) {
    let group = groups.find((g) => g.group === action.group);
    if (!group) {
      group = { group: action.group, rows: [] };
      groups.push(group);
    }
    group.rows.push({
      id: action.id,
      keys: action.keys.map((b) => bindingText(b, action.hold === true)),
      label: action.label,
    });
  }
  return groups;
}
