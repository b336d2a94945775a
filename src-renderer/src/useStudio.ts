import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload } from '../../src-shared/contract/errors';
import type {
  AppInfo,
  ImageSummary,
  OpenedImage,
  PickedPhotos,
  SampleInfo,
  Settings,
} from '../../src-shared/contract/api';
import type { ModelInfo } from '../../src-shared/contract/export';
import { jobEnded } from '../../src-shared/contract/jobs';
import type { RunSummary, RunView } from '../../src-shared/contract/restore';
import { studio } from './api/client';
import { errorPayloadOf } from './api/studioError';
import { fileToBase64 } from './files';

export interface StudioState {
  readonly info: AppInfo | null;
  readonly samples: readonly SampleInfo[];
  readonly recent: readonly ImageSummary[];
  readonly image: OpenedImage | null;
  readonly busy: string | null;
  readonly error: ErrorPayload | null;
  readonly runs: readonly RunSummary[];
  readonly settings: Settings | null;
  readonly models: ModelInfo | null;
  /** The run whose results are on screen, if any. */
  readonly run: RunView | null;
}

/** The studio's top-level state and the intents that change it; components only render and call these. */
export function useStudio() {
  const [state, setState] = useState<StudioState>({
    info: null,
    samples: [],
    recent: [],
    image: null,
    busy: null,
    error: null,
    runs: [],
    settings: null,
    models: null,
    run: null,
  });

  const refreshRecent = useCallback(async () => {
    const recent = await studio.recentImages({ limit: 24 });
    setState((s) => ({ ...s, recent }));
  }, []);

  const refreshRuns = useCallback(async () => {
    const runs = await studio.listRuns({ limit: 50 });
    setState((s) => ({ ...s, runs }));
  }, []);

  /** Reads the Recent and Runs lists again, for photos opened and runs ended out of sight (a batch's). */
  const refreshLibrary = useCallback(async () => {
    await Promise.all([refreshRecent(), refreshRuns()]);
  }, [refreshRecent, refreshRuns]);

  useEffect(() => {
    void (async () => {
      try {
        const [info, samples, settings, models] = await Promise.all([
          studio.appInfo(),
          studio.listSamples(),
          studio.getSettings(),
          studio.modelInfo(),
        ]);
        setState((s) => ({ ...s, info, samples, settings, models }));
        await Promise.all([refreshRecent(), refreshRuns()]);
        // A restoration still running (the window was reloaded) brings its photo back: its Run panel takes it up.
        const running = (await studio.listJobs()).find((j) => j.kind === 'restore' && !jobEnded(j));
        if (running?.imageId != null) {
          const image = await studio.openRecent({ imageId: running.imageId });
          setState((s) => (s.image ? s : { ...s, image }));
        }
      } catch (error) {
        setState((s) => ({ ...s, error: errorPayloadOf(error) }));
      }
    })();
  }, [refreshRecent, refreshRuns]);

  /** Runs one open action with a busy label; errors land in the banner and the current photo stays. */
  const open = useCallback(
    async (label: string, action: () => Promise<OpenedImage | null>) => {
      setState((s) => ({ ...s, busy: label, error: null }));
      try {
        const image = await action();
        setState((s) => ({ ...s, busy: null, image: image ?? s.image, run: image ? null : s.run }));
        await refreshRecent();
      } catch (error) {
        setState((s) => ({ ...s, busy: null, error: errorPayloadOf(error) }));
      }
    },
    [refreshRecent],
  );

  return {
    state,
    openSample: (id: string) => open(`Opening ${id}…`, () => studio.openSample({ id })),
    openRecent: (imageId: number) => open('Opening…', () => studio.openRecent({ imageId })),
    openFile: async (file: File) =>
      open(`Opening ${file.name}…`, async () =>
        studio.openUpload({ name: file.name, base64: await fileToBase64(file) }),
      ),
    /** The native open dialog: one photo opens here; several picked together go to `onSeveral` (a batch). */
    openWithDialog: (onSeveral: (picked: PickedPhotos) => void) =>
      open('Opening…', async () => {
        const picked = await studio.openWithDialog();
        if (picked === null || !('photos' in picked)) return picked;
        onSeveral(picked);
        return null;
      }),
    dismissError: () => setState((s) => ({ ...s, error: null })),
    showError: (error: unknown) => setState((s) => ({ ...s, error: errorPayloadOf(error) })),
    refreshLibrary,
    /** Shows a finished run (the job just ended, or it was picked from the history). */
    showRun: (run: RunView | null) => {
      setState((s) => ({ ...s, run }));
      void refreshRuns();
    },
    /**
     * Reopens a run together with its photo, so the header, the task panel and the editor are about the run on
     * screen. When the photo cannot be opened any more, the run is shown alone and the banner says why.
     */
    openRun: async (runId: number) => {
      setState((s) => ({ ...s, busy: 'Opening the run…', error: null }));
      let run: RunView;
      try {
        run = await studio.getRun({ runId });
      } catch (error) {
        setState((s) => ({ ...s, busy: null, error: errorPayloadOf(error) }));
        return;
      }
      if (state.image?.imageId === run.imageId) {
        setState((s) => ({ ...s, busy: null, run }));
        return;
      }
      try {
        const image = await studio.openRecent({ imageId: run.imageId });
        setState((s) => ({ ...s, busy: null, image, run }));
        await refreshRecent();
      } catch (error) {
        const cause = errorPayloadOf(error);
        setState((s) => ({
          ...s,
          busy: null,
          image: null,
          run,
          error: { ...cause, message: `The photo of run ${runId} could not be opened: ${cause.message}` },
        }));
      }
    },
    saveSettings: async (patch: Partial<Settings>) => {
      try {
        const settings = await studio.updateSettings(patch);
        setState((s) => ({ ...s, settings }));
      } catch (error) {
        setState((s) => ({ ...s, error: errorPayloadOf(error) }));
      }
    },
    refreshModels: async () => {
      const models = await studio.modelInfo();
      setState((s) => ({ ...s, models }));
    },
  };
}
