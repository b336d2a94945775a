import { useState } from 'react';

/** The original and the result on top of each other; the slider reveals the original from the left. */
export function CompareSlider({ original, result }: { original: string; result: string }) {
  const [split, setSplit] = useState(50);
  return (
    <figure className="panel-figure compare">
      <figcaption>Original ⟷ result</figcaption>
      <div className="compare-frame" data-testid="compare">
        <img src={result} alt="Restored result" draggable={false} />
        <img
          src={original}
          alt="Original"
          draggable={false}
          className="compare-top"
          style={{ clipPath: `inset(0 ${100 - split}% 0 0)` }}
        />
        <div className="compare-line" style={{ left: `${split}%` }} />
      </div>
      <input
        type="range"
        min={0}
        max={100}
        value={split}
        aria-label="Compare: share of the original shown"
        data-testid="compare-slider"
        onChange={(e) => setSplit(Number(e.target.value))}
      />
    </figure>
  );
}
