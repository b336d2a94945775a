import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload } from '../../src-preload/contract/errors';
import type { AppInfo, ImageSummary, OpenedImage, SampleInfo } from '../../src-preload/contract/api';
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
  });

  const refreshRecent = useCallback(async () => {
    const recent = await studio.recentImages({ limit: 24 });
    setState((s) => ({ ...s, recent }));
  }, []);

  useEffect(() => {
    void (async () => {
      try {
        const [info, samples] = await Promise.all([studio.appInfo(), studio.listSamples()]);
        setState((s) => ({ ...s, info, samples }));
        await refreshRecent();
      } catch (error) {
        setState((s) => ({ ...s, error: errorPayloadOf(error) }));
      }
    })();
  }, [refreshRecent]);

  /** Runs one open action with a busy label; errors land in the banner and the current photo stays. */
  const open = useCallback(
    async (label: string, action: () => Promise<OpenedImage | null>) => {
      setState((s) => ({ ...s, busy: label, error: null }));
      try {
        const image = await action();
        setState((s) => ({ ...s, busy: null, image: image ?? s.image }));
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
    openWithDialog: () => open('Opening…', () => studio.openWithDialog()),
    dismissError: () => setState((s) => ({ ...s, error: null })),
  };
}
