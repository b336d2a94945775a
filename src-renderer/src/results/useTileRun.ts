import { useRef, useState } from 'react';
import type { RunView } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';

export interface TileRun {
  /** The run as shown: the one given, or the same run showing the tile picked since. */
  readonly shown: RunView;
  readonly pick: (index: number) => void;
  readonly loading: boolean;
  readonly problem: string | null;
}

/**
 * The tile a full-resolution run shows in the inspector. Picking one asks the engine for the run at that tile
 * (its grids and 128 px images); a reply that a later pick overtook is dropped, so quick steps end on the last.
 */
export function useTileRun(run: RunView): TileRun {
  const [given, setGiven] = useState(run);
  const [shown, setShown] = useState(run);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef(0);
  // Another run (or the same one reloaded) starts again from what it shows.
  if (given !== run) {
    setGiven(run);
    setShown(run);
    setProblem(null);
  }
  const pick = (index: number) => {
    const tiles = shown.tiles;
    if (!tiles || index < 0 || index >= tiles.count || index === tiles.index) return;
    const request = ++latest.current;
    setLoading(true);
    studio
      .getRun({ runId: run.runId, tile: index })
      .then(
        (view) => {
          if (request !== latest.current) return;
          setShown(view);
          setProblem(null);
        },
        (error: unknown) => {
          if (request === latest.current) setProblem(errorPayloadOf(error).message);
        },
      )
      .finally(() => {
        if (request === latest.current) setLoading(false);
      });
  };
  return { shown, pick, loading, problem };
}
