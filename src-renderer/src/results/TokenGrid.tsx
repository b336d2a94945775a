import type { GridCell } from '../../../src-shared/contract/restore';
import { GRID_SIDE } from '../geometry/spaces';
import { dispatchKey } from '../keyboard/actions';
import { isTyping } from '../keyboard/typing';
import { STATE_LABEL, type CellState } from './cell-states';

interface TokenGridProps {
  readonly label: string;
  readonly testId: string;
  /** 256 cells; a missing one is drawn empty (a word the LM has not predicted yet). */
  readonly cells: readonly (GridCell | undefined)[];
  readonly states: readonly CellState[];
  readonly hovered: number | null;
  readonly onHover: (cell: number | null) => void;
  readonly confidence?: ReadonlyMap<number, number>;
}

/** The cell each arrow key moves to, as a column and row step. */
const STEPS: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/**
 * A 16x16 grid of words, colour-coded by state. Reachable from the keyboard: focus it, then the arrow keys move
 * the highlighted cell as hovering does.
 */
export function TokenGrid({ label, testId, cells, states, hovered, onHover, confidence }: TokenGridProps) {
  const move = (dx: number, dy: number) => {
    const current = hovered ?? 0;
    const col = Math.max(0, Math.min(GRID_SIDE - 1, (current % GRID_SIDE) + dx));
    const row = Math.max(0, Math.min(GRID_SIDE - 1, Math.floor(current / GRID_SIDE) + dy));
    onHover(row * GRID_SIDE + col);
  };
  return (
    <figure className="panel-figure">
      <figcaption>{label}</figcaption>
      <div
        className="token-grid"
        data-testid={testId}
        role="grid"
        aria-label={`${label}: 16 by 16 words; arrow keys move the highlighted cell`}
        tabIndex={0}
        onMouseLeave={() => onHover(null)}
        onKeyDown={(e) =>
          dispatchKey(
            'wordGrid',
            e.nativeEvent,
            {
              moveCell: (event) => {
                const step = STEPS[event.key];
                if (step) move(step[0], step[1]);
              },
              leaveCell: () => onHover(null),
            },
            isTyping,
          )
        }
      >
        {Array.from({ length: GRID_SIDE * GRID_SIDE }, (_, i) => {
          const c = cells[i];
          const state = states[i] ?? 'unchanged';
          const p = confidence?.get(i);
          return (
            <div
              key={i}
              className={`token-cell state-${state}${hovered === i ? ' hovered' : ''}`}
              data-cell={i}
              data-state={state}
              title={
                c
                  ? `cell ${i} · id ${c.id} · "${c.text}" · ${STATE_LABEL[state]}${p === undefined ? '' : ` · p=${p.toFixed(3)}`}`
                  : `cell ${i}`
              }
              onMouseEnter={() => onHover(i)}
            >
              {c?.text ?? ''}
            </div>
          );
        })}
      </div>
    </figure>
  );
}
