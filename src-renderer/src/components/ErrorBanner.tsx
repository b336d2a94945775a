import type { ErrorPayload } from '../../../src-preload/contract/errors';

export function ErrorBanner({ error, onDismiss }: { error: ErrorPayload; onDismiss: () => void }) {
  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={error.code}>
      <span>{error.message}</span>
      <button type="button" onClick={onDismiss} aria-label="Dismiss error">
        ×
      </button>
    </div>
  );
}
