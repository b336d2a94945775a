import { useEffect, useState } from 'react';
import type { AskAvailability } from '../../../src-shared/contract/ask';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';

/** Whether Ask can be used with the pack in force, asked once when the studio starts. */
export function useAskAvailability(): AskAvailability | null {
  const [availability, setAvailability] = useState<AskAvailability | null>(null);
  useEffect(() => {
    let current = true;
    void studio.askAvailability().then(
      (a) => {
        if (current) setAvailability(a);
      },
      (error: unknown) => {
        if (current)
          setAvailability({ available: false, reason: errorPayloadOf(error).message, tokenizer: null });
      },
    );
    return () => {
      current = false;
    };
  }, []);
  return availability;
}
