import { useState } from 'react';
import type { GridCell } from '../../../src-shared/contract/restore';
import './global-words.css';

/**
 * An image's global words (the pack's global vocabulary, most similar first) as a row of chips; hovering or
 * focusing one shows its id and text.
 */
export function GlobalWords({
  words,
  label,
  testId,
}: {
  words: readonly GridCell[];
  label: string;
  testId: string;
}) {
  const [hovered, setHovered] = useState<number | null>(null);
  if (words.length === 0) return null;
  const shown = hovered === null ? undefined : words[hovered];
  return (
    <figure className="global-words" data-testid={testId}>
      <figcaption>
        {label} ({words.length})
      </figcaption>
      <ol onMouseLeave={() => setHovered(null)}>
        {words.map((w, i) => (
          <li
            key={i}
            tabIndex={0}
            data-global-id={w.id}
            title={`global word ${i + 1} · id ${w.id} · "${w.text}"`}
            className={hovered === i ? 'hovered' : undefined}
            onMouseEnter={() => setHovered(i)}
            onFocus={() => setHovered(i)}
            onBlur={() => setHovered(null)}
          >
            {w.text}
          </li>
        ))}
      </ol>
      <div className="global-info" data-testid={`${testId}-info`} aria-live="polite">
        {shown ? (
          <span>
            Global word {(hovered ?? 0) + 1} · id {shown.id} · “{shown.text}”
          </span>
        ) : (
          <span className="hint">Hover a global word to see its id.</span>
        )}
      </div>
    </figure>
  );
}
