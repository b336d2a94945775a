import type { RunTiles } from '../../../src-shared/contract/restore';
import { TILE } from '../../../src-shared/tasks/tile-layout';
import { shortcutText } from '../keyboard/actions';
import { useKeyboardScope } from '../keyboard/useKeyboardScope';

interface TilePickerProps {
  readonly tiles: RunTiles;
  /** The restored photo, drawn under the tile grid. */
  readonly photo: string | undefined;
  readonly loading: boolean;
  readonly onPick: (index: number) => void;
}

/**
 * Along one side: the part of it each distinct tile start answers for, split halfway between neighbouring tiles'
 * centres, so the overview's click targets cover the photo once although the tiles overlap.
 */
function spans(starts: readonly number[], length: number): Map<number, readonly [number, number]> {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  const centre = (s: number) => s + TILE / 2;
  return new Map(
    sorted.map((start, i) => {
      const previous = sorted[i - 1];
      const next = sorted[i + 1];
      const from = previous === undefined ? 0 : (centre(previous) + centre(start)) / 2;
      const to = next === undefined ? length : (centre(start) + centre(next)) / 2;
      return [start, [from, to] as const];
    }),
  );
}

const percent = (value: number, of: number) => `${((100 * value) / of).toFixed(3)}%`;

/**
 * Which tile of a full-resolution run the inspector shows: "Tile 3 of 15" with previous and next (also [ and ]),
 * and the photo with its tile grid, where a click picks the tile under it. The outline is the picked tile's
 * whole 128 px square, overlaps included.
 */
export function TilePicker({ tiles, photo, loading, onPick }: TilePickerProps) {
  const { count, index, origins, workingSize } = tiles;
  const step = (delta: number) => {
    const next = index + delta;
    if (next >= 0 && next < count) onPick(next);
  };
  useKeyboardScope('results', { previousTile: () => step(-1), nextTile: () => step(1) });
  const { width, height } = workingSize;
  const xs = spans(
    origins.map((o) => o.x),
    width,
  );
  const ys = spans(
    origins.map((o) => o.y),
    height,
  );
  const picked = origins[index];
  return (
    <section
      className="tile-picker"
      aria-label="Tiles"
      data-testid="tile-picker"
      data-tile-index={index}
      data-loading={loading}
    >
      <div className="tile-nav">
        <button
          type="button"
          data-testid="tile-previous"
          disabled={index === 0}
          title={`Previous tile (${shortcutText('previousTile')})`}
          onClick={() => step(-1)}
        >
          ‹
        </button>
        <span data-testid="tile-label" aria-live="polite">
          Tile {index + 1} of {count}
        </span>
        <button
          type="button"
          data-testid="tile-next"
          disabled={index === count - 1}
          title={`Next tile (${shortcutText('nextTile')})`}
          onClick={() => step(1)}
        >
          ›
        </button>
      </div>
      <div
        className="tile-overview"
        data-testid="tile-overview"
        style={{ aspectRatio: `${width} / ${height}` }}
      >
        {photo && <img src={photo} alt="The restored photo" draggable={false} />}
        {origins.map((origin, i) => {
          const [x0, x1] = xs.get(origin.x) ?? [0, 0];
          const [y0, y1] = ys.get(origin.y) ?? [0, 0];
          return (
            <button
              key={i}
              type="button"
              className={i === index ? 'tile-cell picked' : 'tile-cell'}
              data-testid={`tile-cell-${i}`}
              aria-label={`Tile ${i + 1}`}
              aria-pressed={i === index}
              style={{
                left: percent(x0, width),
                top: percent(y0, height),
                width: percent(x1 - x0, width),
                height: percent(y1 - y0, height),
              }}
              onClick={() => onPick(i)}
            />
          );
        })}
        {picked && (
          <div
            className="tile-outline"
            aria-hidden
            style={{
              left: percent(picked.x, width),
              top: percent(picked.y, height),
              width: percent(TILE, width),
              height: percent(TILE, height),
            }}
          />
        )}
      </div>
    </section>
  );
}
