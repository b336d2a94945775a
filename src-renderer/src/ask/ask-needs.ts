import type { AskAvailability } from '../../../src-shared/contract/ask';

/**
 * What Ask is missing, in the few words the header has room for; null when Ask can be used (or it is not known
 * yet). The full reason, with what to install, is the button's tooltip and the first line of the Ask panel.
 */
export function askNeeds(availability: AskAvailability | null): string | null {
  if (availability === null || availability.available) return null;
  // The engine names the pack when it loaded but lacks the global branch Ask reads images through.
  return availability.tokenizer === null
    ? 'Ask needs a tokenizer pack that loads'
    : 'Ask needs a tokenizer pack with a global branch';
}
