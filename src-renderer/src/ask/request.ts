import type { OpenedImage } from '../../../src-shared/contract/api';
import type { AskKind, AskRequest } from '../../../src-shared/contract/ask';

/** An example as the panel holds it: an opened image and the label (or caption) typed for it. */
export interface Example {
  readonly key: number;
  readonly label: string;
  readonly image: OpenedImage;
}

/** What the form asks, or why it cannot ask yet. */
export function buildAskRequest(
  kind: AskKind,
  query: OpenedImage | null,
  examples: readonly Example[],
  repeats: number,
  question: string,
  maxTokens: number,
): { request: AskRequest } | { reason: string } {
  if (!query) return { reason: 'Choose a query image.' };
  const listed = examples.map((e) => ({ imageId: e.image.imageId, label: e.label.trim() }));
  if (kind === 'classify') {
    if (listed.some((e) => e.label === '')) return { reason: 'Give every example a label.' };
    if (new Set(listed.map((e) => e.label)).size < 2)
      return { reason: 'Add examples of at least two labels.' };
    return { request: { kind, queryImageId: query.imageId, examples: listed, repeats } };
  }
  if (kind === 'caption') {
    if (listed.some((e) => e.label === '')) return { reason: 'Give every example a caption, or remove it.' };
    return { request: { kind, queryImageId: query.imageId, examples: listed, maxTokens } };
  }
  if (question.trim() === '') return { reason: 'Type a question.' };
  return { request: { kind, queryImageId: query.imageId, question: question.trim(), maxTokens } };
}
