import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorBanner } from './components/ErrorBanner';
import { askNeeds } from './ask/ask-needs';
import { AskPanel } from './ask/AskPanel';
import { useAskAvailability } from './ask/useAskAvailability';
import { BatchButton } from './batch/BatchButton';
import { BatchPanel } from './batch/BatchPanel';
import { useBatch } from './batch/useBatch';
import { Library } from './components/Library';
import { ShortcutSheet } from './components/ShortcutSheet';
import { ACCEPTED_IMAGE_TYPES } from './files';
import { ResultsView } from './results/ResultsView';
import { SettingsDialog } from './settings/SettingsDialog';
import { shortcutText } from './keyboard/actions';
import { useKeyboardScope } from './keyboard/useKeyboardScope';
import { useStudio } from './useStudio';
import { Workspace } from './Workspace';
import type { RunView } from '../../src-shared/contract/restore';

type Overlay = 'none' | 'shortcuts' | 'settings' | 'ask';

export function App() {
  const studio = useStudio();
  const { state } = studio;
  const fileInput = useRef<HTMLInputElement>(null);
  const [overlay, setOverlay] = useState<Overlay>('none');
  const askAvailability = useAskAvailability();
  const askNeed = askNeeds(askAvailability);
  const [showResults, setShowResults] = useState(false);
  // The photo's size as the editor has it: differs from the opened size after a crop.
  const [working, setWorking] = useState<{ width: number; height: number } | null>(null);

  const batch = useBatch(state.settings?.defaultProtocol ?? 'reference', studio.refreshLibrary);

  /** One file opens in the editor; several (or any while the batch panel is open) join the batch. */
  const openFiles = (files: readonly File[]) => {
    if (files.length > 1 || (batch.open && files.length > 0)) batch.addFiles(files);
    else if (files[0]) void studio.openFile(files[0]);
  };

  const pickFile = () => {
    if (state.info?.nativeDialogs) void studio.openWithDialog(batch.addPicked);
    else fileInput.current?.click();
  };

  const theme = state.settings?.theme ?? 'system';
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);

  // Paste an image from the clipboard anywhere in the window; Ctrl/Cmd+O opens a file; ? shows the shortcuts.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => openFiles(Array.from(event.clipboardData?.files ?? []));
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  });
  useKeyboardScope('global', {
    openPhoto: pickFile,
    toggleShortcuts: () => setOverlay((o) => (o === 'shortcuts' ? 'none' : 'shortcuts')),
  });

  const { showRun } = studio;
  const onFinished = useCallback(
    (run: RunView) => {
      showRun(run);
      setShowResults(true);
    },
    [showRun],
  );
  const onStarted = useCallback(() => setShowResults(false), []);

  const results =
    showResults && state.run ? (
      <ResultsView
        run={state.run}
        photoFormat={state.image?.imageId === state.run.imageId ? state.image.format : undefined}
      />
    ) : null;

  return (
    <div
      className="app"
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        openFiles(Array.from(event.dataTransfer.files));
      }}
    >
      <header className="toolbar">
        <h1>V2L Studio</h1>
        <button type="button" onClick={pickFile} title={`Open a photo (${shortcutText('openPhoto')})`}>
          Open…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={ACCEPTED_IMAGE_TYPES}
          multiple
          hidden
          data-testid="file-input"
          onChange={(event) => {
            openFiles(Array.from(event.target.files ?? []));
            event.target.value = '';
          }}
        />
        {(state.image ?? state.run) && (
          <div className="view-switch" role="tablist" aria-label="View">
            <button
              type="button"
              role="tab"
              aria-selected={!results}
              data-testid="view-edit"
              disabled={!state.image}
              onClick={() => setShowResults(false)}
            >
              Edit
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={results !== null}
              data-testid="view-results"
              disabled={!state.run}
              onClick={() => setShowResults(true)}
            >
              Results
            </button>
          </div>
        )}
        <BatchButton summary={batch.summary} onOpen={() => batch.setOpen(true)} />
        {state.busy && (
          <span className="busy" role="status">
            {state.busy}
          </span>
        )}
        {state.image && (
          <span className="image-meta" data-testid="image-meta">
            {state.image.name} · {state.image.width}×{state.image.height}
            {working && (working.width !== state.image.width || working.height !== state.image.height)
              ? ` cropped to ${String(working.width)}×${String(working.height)}`
              : ''}{' '}
            · {state.image.format}
          </span>
        )}
        <span className="spacer" />
        {askNeed && (
          <span
            className="hint ask-needs"
            data-testid="ask-needs"
            title={askAvailability?.reason ?? undefined}
          >
            {askNeed}
          </span>
        )}
        <button
          type="button"
          data-testid="open-ask"
          title={
            askAvailability?.reason ?? 'Ask the language model about images (classify, caption, question)'
          }
          // Unavailable, the header already says what Ask needs: a panel that could only say so again is not opened.
          disabled={askNeed !== null}
          onClick={() => setOverlay('ask')}
        >
          Ask…
        </button>
        <button type="button" data-testid="open-settings" onClick={() => setOverlay('settings')}>
          Settings
        </button>
        <button
          type="button"
          aria-label="Keyboard shortcuts"
          title={`Keyboard shortcuts (${shortcutText('toggleShortcuts')})`}
          onClick={() => setOverlay('shortcuts')}
        >
          ?
        </button>
      </header>
      {state.error && <ErrorBanner error={state.error} onDismiss={studio.dismissError} />}
      <main className="workspace">
        <Library
          samples={state.samples}
          recent={state.recent}
          runs={state.runs}
          currentRun={results ? (state.run?.runId ?? null) : null}
          onSample={(id) => void studio.openSample(id).then(() => setShowResults(false))}
          onRecent={(imageId) => void studio.openRecent(imageId).then(() => setShowResults(false))}
          onRun={(runId) => void studio.openRun(runId).then(() => setShowResults(true))}
        />
        {state.image ? (
          <Workspace
            key={state.image.imageId}
            image={state.image}
            defaultProtocol={state.settings?.defaultProtocol ?? 'reference'}
            models={state.models}
            onFinished={onFinished}
            onStarted={onStarted}
            onWorkingSize={setWorking}
            results={results}
          />
        ) : (
          <section className="canvas-area" aria-label="Photo">
            {results ?? (
              <div className="empty-state">
                <h2>Open a photo to begin</h2>
                <p>Drop an image anywhere, paste one, press Ctrl+O, or pick a sample on the left.</p>
              </div>
            )}
          </section>
        )}
      </main>
      {batch.open && (
        <BatchPanel
          batch={batch}
          recent={state.recent}
          onOpenRun={(runId) => void studio.openRun(runId).then(() => setShowResults(true))}
        />
      )}
      {overlay === 'shortcuts' && <ShortcutSheet onClose={() => setOverlay('none')} />}
      {overlay === 'ask' && (
        <AskPanel image={state.image} samples={state.samples} onClose={() => setOverlay('none')} />
      )}
      {overlay === 'settings' && state.settings && (
        <SettingsDialog
          settings={state.settings}
          onSave={async (patch) => {
            await studio.saveSettings(patch);
            setOverlay('none');
          }}
          onClose={() => setOverlay('none')}
        />
      )}
    </div>
  );
}
