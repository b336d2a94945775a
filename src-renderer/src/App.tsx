import { useEffect, useRef } from 'react';
import { ErrorBanner } from './components/ErrorBanner';
import { Library } from './components/Library';
import { PhotoStage } from './components/PhotoStage';
import { ACCEPTED_IMAGE_TYPES } from './files';
import { useStudio } from './useStudio';

export function App() {
  const studio = useStudio();
  const { state } = studio;
  const fileInput = useRef<HTMLInputElement>(null);

  const pickFile = () => {
    if (state.info?.nativeDialogs) void studio.openWithDialog();
    else fileInput.current?.click();
  };

  // Paste an image from the clipboard anywhere in the window; Ctrl/Cmd+O opens a file.
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = event.clipboardData?.files[0];
      if (file) void studio.openFile(file);
    };
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'o') {
        event.preventDefault();
        pickFile();
      }
    };
    window.addEventListener('paste', onPaste);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('keydown', onKey);
    };
  });

  return (
    <div
      className="app"
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        const file = event.dataTransfer.files[0];
        if (file) void studio.openFile(file);
      }}
    >
      <header className="toolbar">
        <h1>V2L Studio</h1>
        <button type="button" onClick={pickFile} title="Open a photo (Ctrl+O)">
          Open…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={ACCEPTED_IMAGE_TYPES}
          hidden
          data-testid="file-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void studio.openFile(file);
            event.target.value = '';
          }}
        />
        {state.busy && (
          <span className="busy" role="status">
            {state.busy}
          </span>
        )}
        {state.image && (
          <span className="image-meta" data-testid="image-meta">
            {state.image.name} · {state.image.width}×{state.image.height} · {state.image.format}
          </span>
        )}
      </header>
      {state.error && <ErrorBanner error={state.error} onDismiss={studio.dismissError} />}
      <main className="workspace">
        <Library
          samples={state.samples}
          recent={state.recent}
          onSample={(id) => void studio.openSample(id)}
          onRecent={(imageId) => void studio.openRecent(imageId)}
        />
        <section className="canvas-area" aria-label="Photo">
          {state.image ? (
            <PhotoStage image={state.image} />
          ) : (
            <div className="empty-state">
              <h2>Open a photo to begin</h2>
              <p>Drop an image anywhere, paste one, press Ctrl+O, or pick a sample on the left.</p>
            </div>
          )}
        </section>
      </main>
    </div>
  );
}
