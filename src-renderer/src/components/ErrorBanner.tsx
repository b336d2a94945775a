import { Banner } from './Banner';
import type { ErrorPayload } from '../../../src-shared/contract/errors';

const HELP: Partial<Record<ErrorPayload['code'], string>> = {
  NOT_FOUND: 'Something the studio needs is missing.',
  BUSY: 'The studio is busy with that.',
  REFUSED: 'Refused.',
  UNREACHABLE: 'No answer.',
  MODEL_INVALID: 'A model file is not usable.',
  IMAGE_UNSUPPORTED_FORMAT: 'That file is not a photo the studio can read.',
  IMAGE_CORRUPT: 'That photo is damaged.',
};

export function ErrorBanner({
  error,
  onDismiss,
  testId = 'error-banner',
}: {
  error: ErrorPayload;
  onDismiss: () => void;
  testId?: string;
}) {
  return (
    <Banner tone="error" onDismiss={onDismiss} testId={testId} data={{ code: error.code }}>
      {HELP[error.code] && <strong>{HELP[error.code]} </strong>}
      {error.message}
    </Banner>
  );
}
