import type { ReactNode } from 'react';

/**
 * A dismissible line across the top of an area: an error (announced at once, as an alert) or a notice (announced
 * politely, as a status).
 */
export function Banner({
  tone,
  onDismiss,
  testId,
  data,
  children,
}: {
  tone: 'error' | 'notice';
  onDismiss: () => void;
  testId: string;
  /** data-* attributes for the element, named without the prefix. */
  data?: Readonly<Record<string, string>>;
  children: ReactNode;
}) {
  const attributes = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <div
      className={`${tone}-banner`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
      {...attributes}
    >
      <span>{children}</span>
      <button type="button" onClick={onDismiss} aria-label={tone === 'error' ? 'Dismiss error' : 'Dismiss'}>
        ×
      </button>
    </div>
  );
}
