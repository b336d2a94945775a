// The keyboard table, its dispatch and the shortcut sheet: pure, tested in Node; type-checked with the renderer
// (tsconfig.web.json), where a handler map that misses an action of its scope is a type error.
import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../src-renderer/src/editor/tools';
import {
  actionIds,
  bindingMatches,
  dispatchKey,
  KEY_ACTIONS,
  releaseKey,
  sheetGroups,
  shortcutText,
  TOOL_ACTIONS,
  type DispatchedScope,
  type KeyActionSpec,
  type KeyBinding,
  type KeyEventLike,
  type ModifierRule,
  type Scope,
  type ScopeHandlers,
} from '../../src-renderer/src/keyboard/actions';

const TABLE: readonly KeyActionSpec[] = KEY_ACTIONS;

interface Pressed extends KeyEventLike {
  prevented: boolean;
}

function press(
  key: string,
  mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {},
): Pressed {
  const event: Pressed = {
    key,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    shiftKey: mods.shift ?? false,
    altKey: mods.alt ?? false,
    target: null,
    prevented: false,
    preventDefault() {
      event.prevented = true;
    },
  };
  return event;
}

const notTyping = () => false;
const typing = () => true;

/** Every handler of every scope records what it ran. */
function recorder() {
  const ran: string[] = [];
  const log = (what: string) => () => {
    ran.push(what);
  };
  let cropDraft = false;
  const editor: ScopeHandlers<'editor'> = {
    undo: log('undo'),
    redo: log('redo'),
    toolBrush: log('toolBrush'),
    toolEraser: log('toolEraser'),
    toolRect: log('toolRect'),
    toolExtend: log('toolExtend'),
    toolCrop: log('toolCrop'),
    toolPan: log('toolPan'),
    panWhileHeld: { down: log('pan down'), up: log('pan up') },
    brushSmaller: log('brushSmaller'),
    brushLarger: log('brushLarger'),
    applyCrop: { when: () => cropDraft, run: log('applyCrop') },
    cancelCrop: { when: () => cropDraft, run: log('cancelCrop') },
    invertMask: log('invertMask'),
    clearMask: log('clearMask'),
    toggleGrid: log('toggleGrid'),
    fitView: log('fitView'),
    actualSize: log('actualSize'),
  };
  const global: ScopeHandlers<'global'> = {
    openPhoto: log('openPhoto'),
    toggleShortcuts: log('toggleShortcuts'),
  };
  const workspace: ScopeHandlers<'workspace'> = { runRestore: log('runRestore') };
  const results: ScopeHandlers<'results'> = {
    previousTile: log('previousTile'),
    nextTile: log('nextTile'),
  };
  const wordGrid: ScopeHandlers<'wordGrid'> = {
    moveCell: (event) => ran.push(`moveCell ${event.key}`),
    leaveCell: log('leaveCell'),
  };
  return {
    ran,
    handlers: { editor, global, workspace, results, wordGrid },
    setCropDraft: (on: boolean) => {
      cropDraft = on;
    },
  };
}

function overlaps(a: ModifierRule, b: ModifierRule): boolean {
  return a === 'any' || b === 'any' || a === b;
}

/** Whether one key event could match both bindings. */
function collide(a: KeyBinding, b: KeyBinding): boolean {
  const key = (k: string) => (/^[a-z]$/i.test(k) ? k.toLowerCase() : k);
  return (
    key(a.key) === key(b.key) &&
    overlaps(a.mod ?? false, b.mod ?? false) &&
    overlaps(a.shift ?? 'any', b.shift ?? 'any') &&
    overlaps(a.alt ?? false, b.alt ?? false)
  );
}

function collisions(scopes: readonly Scope[]): string[] {
  const entries = TABLE.filter((a) => scopes.includes(a.scope));
  const found: string[] = [];
  entries.forEach((a, i) => {
    for (const b of entries.slice(i + 1)) {
      for (const x of a.keys) {
        for (const y of b.keys) if (collide(x, y)) found.push(`${a.id} and ${b.id} share ${x.key}`);
      }
    }
  });
  return found;
}

describe('keyboard table', () => {
  it('names every action once', () => {
    const ids = TABLE.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of TABLE) {
      expect(a.keys.length, a.id).toBeGreaterThan(0);
      expect(a.label.length, a.id).toBeGreaterThan(0);
    }
  });

  it('has no duplicate bindings within a scope', () => {
    // The check itself sees a clash of case or of an 'any' modifier.
    expect(collide({ key: 'g' }, { key: 'G', shift: true })).toBe(true);
    expect(collide({ key: 'z', mod: true, shift: false }, { key: 'z', mod: true, shift: true })).toBe(false);
    expect(collide({ key: '?', mod: 'any' }, { key: '?', mod: true })).toBe(true);
    for (const scope of ['global', 'workspace', 'editor', 'results', 'wordGrid', 'dialog'] as const) {
      expect(collisions([scope]), scope).toEqual([]);
    }
  });

  it('has no binding two scopes mounted together both claim', () => {
    // The window hears the global, workspace and editor scopes at once; a focused word grid's keys bubble up to
    // the global, workspace and results scopes (the editor is not shown with the results).
    expect(collisions(['global', 'workspace', 'editor'])).toEqual([]);
    expect(collisions(['global', 'workspace', 'results', 'wordGrid'])).toEqual([]);
  });

  it('requires a handler for every dispatched action of a scope, and no other', () => {
    const { handlers } = recorder();
    for (const scope of ['global', 'workspace', 'editor', 'results', 'wordGrid'] as const) {
      expect(Object.keys(handlers[scope]).sort(), scope).toEqual(actionIds(scope).sort());
    }
    // Native entries (the dialog's Escape, the wheel) are handled elsewhere and need none.
    expect(actionIds('editor')).not.toContain('wheelZoom');
    const noop = () => undefined;
    // @ts-expect-error a scope's handlers must cover all its actions: runRestore is missing
    const missing: ScopeHandlers<'workspace'> = {};
    // @ts-expect-error and name only actions of that scope
    const foreign: ScopeHandlers<'global'> = { openPhoto: noop, toggleShortcuts: noop, undo: noop };
    expect([missing, foreign]).toHaveLength(2);
  });

  it('gives every editor tool its action', () => {
    for (const tool of TOOLS) expect(actionIds('editor')).toContain(TOOL_ACTIONS[tool.id]);
    expect(Object.keys(TOOL_ACTIONS).sort()).toEqual(TOOLS.map((t) => t.id).sort());
  });
});

describe('dispatch keeps every shortcut as it was', () => {
  const cases: {
    scope: DispatchedScope;
    event: Pressed;
    typing?: boolean;
    ran: string | null;
    prevented?: boolean;
  }[] = [
    { scope: 'global', event: press('o', { ctrl: true }), ran: 'openPhoto', prevented: true },
    { scope: 'global', event: press('O', { meta: true, shift: true }), ran: 'openPhoto', prevented: true },
    { scope: 'global', event: press('o', { ctrl: true }), typing: true, ran: 'openPhoto', prevented: true },
    { scope: 'global', event: press('o'), ran: null },
    { scope: 'global', event: press('?', { shift: true }), ran: 'toggleShortcuts', prevented: true },
    { scope: 'global', event: press('?', { shift: true }), typing: true, ran: null },
    { scope: 'workspace', event: press('Enter', { ctrl: true }), ran: 'runRestore', prevented: true },
    { scope: 'workspace', event: press('Enter', { meta: true }), typing: true, ran: 'runRestore' },
    { scope: 'workspace', event: press('Enter'), ran: null },
    { scope: 'editor', event: press('z', { ctrl: true }), ran: 'undo', prevented: true },
    { scope: 'editor', event: press('z', { meta: true }), typing: true, ran: 'undo' },
    { scope: 'editor', event: press('Z', { ctrl: true, shift: true }), ran: 'redo', prevented: true },
    { scope: 'editor', event: press('y', { ctrl: true }), ran: 'redo', prevented: true },
    { scope: 'editor', event: press('b'), ran: 'toolBrush', prevented: false },
    { scope: 'editor', event: press('B', { shift: true }), ran: 'toolBrush' },
    { scope: 'editor', event: press('b', { ctrl: true }), ran: null },
    { scope: 'editor', event: press('b', { alt: true }), ran: null },
    { scope: 'editor', event: press('b'), typing: true, ran: null },
    { scope: 'editor', event: press('e'), ran: 'toolEraser' },
    { scope: 'editor', event: press('r'), ran: 'toolRect' },
    { scope: 'editor', event: press('x'), ran: 'toolExtend' },
    { scope: 'editor', event: press('c'), ran: 'toolCrop' },
    { scope: 'editor', event: press('h'), ran: 'toolPan' },
    { scope: 'editor', event: press(' '), ran: 'pan down', prevented: true },
    { scope: 'editor', event: press(' '), typing: true, ran: null },
    { scope: 'editor', event: press('['), ran: 'brushSmaller' },
    { scope: 'editor', event: press(']'), ran: 'brushLarger' },
    { scope: 'editor', event: press('i'), ran: 'invertMask' },
    { scope: 'editor', event: press('Delete'), ran: 'clearMask' },
    { scope: 'editor', event: press('Backspace'), ran: 'clearMask' },
    { scope: 'editor', event: press('g'), ran: 'toggleGrid' },
    { scope: 'editor', event: press('f'), ran: 'fitView' },
    { scope: 'editor', event: press('1'), ran: 'actualSize' },
    { scope: 'editor', event: press('?', { shift: true }), ran: null },
    // Without a crop being drawn, Enter and Escape are left alone.
    { scope: 'editor', event: press('Enter'), ran: null, prevented: false },
    { scope: 'editor', event: press('Escape'), ran: null },
    { scope: 'results', event: press('['), ran: 'previousTile' },
    { scope: 'results', event: press(']'), ran: 'nextTile' },
    { scope: 'results', event: press(']'), typing: true, ran: null },
    { scope: 'wordGrid', event: press('ArrowLeft'), ran: 'moveCell ArrowLeft', prevented: true },
    {
      scope: 'wordGrid',
      event: press('ArrowDown', { shift: true }),
      ran: 'moveCell ArrowDown',
      prevented: true,
    },
    { scope: 'wordGrid', event: press('Escape'), ran: 'leaveCell', prevented: false },
    { scope: 'wordGrid', event: press('a'), ran: null },
  ];
  it.each(cases.map((c) => [`${c.scope} ${JSON.stringify(c.event.key)}`, c] as const))('%s', (_, c) => {
    const { ran, handlers } = recorder();
    const event = { ...c.event, prevented: false };
    event.preventDefault = () => {
      event.prevented = true;
    };
    dispatchKey(c.scope, event, handlers[c.scope] as never, c.typing === true ? typing : notTyping);
    expect(ran).toEqual(c.ran === null ? [] : [c.ran]);
    if (c.prevented !== undefined) expect(event.prevented).toBe(c.prevented);
    if (c.ran === null) expect(event.prevented).toBe(false);
  });

  it('applies or cancels a crop only while one is drawn', () => {
    const { ran, handlers, setCropDraft } = recorder();
    setCropDraft(true);
    const enter = press('Enter');
    expect(dispatchKey('editor', enter, handlers.editor, notTyping)).toBe('applyCrop');
    expect(enter.prevented).toBe(true);
    const escape = press('Escape');
    expect(dispatchKey('editor', escape, handlers.editor, notTyping)).toBe('cancelCrop');
    expect(escape.prevented).toBe(false);
    expect(dispatchKey('editor', press('Enter', { alt: true }), handlers.editor, notTyping)).toBeNull();
    expect(ran).toEqual(['applyCrop', 'cancelCrop']);
  });

  it('ends the held pan on release, whatever the modifiers', () => {
    const { ran, handlers } = recorder();
    expect(releaseKey('editor', press(' ', { ctrl: true }), handlers.editor)).toEqual(['panWhileHeld']);
    expect(releaseKey('editor', press('b'), handlers.editor)).toEqual([]);
    expect(ran).toEqual(['pan up']);
  });

  it('matches letters in either case and other keys exactly', () => {
    expect(bindingMatches({ key: 'g' }, press('G', { shift: true }))).toBe(true);
    expect(bindingMatches({ key: 'g', shift: false }, press('G', { shift: true }))).toBe(false);
    expect(bindingMatches({ key: 'Delete' }, press('delete'))).toBe(false);
  });
});

describe('shortcut sheet', () => {
  it('lists every action of the table once, grouped', () => {
    const rows = sheetGroups().flatMap((g) => g.rows.map((r) => r.id));
    expect(rows.sort()).toEqual(TABLE.map((a) => a.id).sort());
    const groups = sheetGroups().map((g) => g.group);
    expect(new Set(groups).size).toBe(groups.length);
  });

  it('writes the keys as they are pressed', () => {
    expect(shortcutText('redo')).toBe('Shift+Ctrl/Cmd+Z or Ctrl/Cmd+Y');
    expect(shortcutText('undo')).toBe('Ctrl/Cmd+Z');
    expect(shortcutText('panWhileHeld')).toBe('hold Space');
    expect(shortcutText('clearMask')).toBe('Delete or Backspace');
    expect(shortcutText('toggleShortcuts')).toBe('?');
    expect(shortcutText('toolBrush')).toBe('B');
    expect(shortcutText('moveCell')).toBe('← or → or ↑ or ↓');
    const view = sheetGroups().find((g) => g.group === 'View');
    expect(view?.rows.find((r) => r.id === 'toggleGrid')).toEqual({
      id: 'toggleGrid',
      keys: ['G'],
      label: 'Show or hide the token grid',
    });
  });
});
