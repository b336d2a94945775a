import { cellAtFraction, cellCol, cellRow, GRID_SIDE, type Cell } from '../geometry/spaces';

interface CellImageProps {
  readonly label: string;
  readonly src: string | undefined;
  readonly testId: string;
  readonly hovered: number | null;
  readonly onHover: (cell: number | null) => void;
}

/** A 128 px view shown enlarged without smoothing, with the hovered word's 8x8 patch outlined. */
export function CellImage({ label, src, testId, hovered, onHover }: CellImageProps) {
  const pct = 100 / GRID_SIDE;
  return (
    <figure className="panel-figure">
      <figcaption>{label}</figcaption>
      <div
        className="cell-image"
        data-testid={testId}
        onMouseMove={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          onHover(cellAtFraction((e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height));
        }}
        onMouseLeave={() => onHover(null)}
      >
        {src ? <img src={src} alt={label} draggable={false} /> : <div className="missing">not available</div>}
        {hovered !== null && (
          <div
            className="cell-highlight"
            style={{
              left: `${cellCol(hovered as Cell) * pct}%`,
              top: `${cellRow(hovered as Cell) * pct}%`,
              width: `${pct}%`,
              height: `${pct}%`,
            }}
          />
        )}
      </div>
    </figure>
  );
}
