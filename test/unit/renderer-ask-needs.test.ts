// Renderer modules with no DOM in them, tested in Node; type-checked with the renderer (tsconfig.web.json).
import { describe, expect, it } from 'vitest';
import { askNeeds } from '../../src-renderer/src/ask/ask-needs';

describe('what Ask needs, as the header says it', () => {
  it('says nothing while unknown or when Ask can be used', () => {
    expect(askNeeds(null)).toBeNull();
    expect(askNeeds({ available: true, reason: null, tokenizer: 'v2l-global' })).toBeNull();
  });

  it('names the missing global branch when the pack loaded, and the pack itself when it did not', () => {
    expect(askNeeds({ available: false, reason: 'no global branch', tokenizer: 'v2l-default' })).toBe(
      'Ask needs a tokenizer pack with a global branch',
    );
    expect(askNeeds({ available: false, reason: 'could not be loaded', tokenizer: null })).toBe(
      'Ask needs a tokenizer pack that loads',
    );
  });
});
