import { useEffect, useState } from 'react';
import type { TokenizerPackInfo } from '../../../src-shared/contract/models';
import { studio } from '../api/client';

/** The installed tokenizer packs, read once when Settings opens; empty until they arrive (or if listing fails). */
export function useTokenizerPacks(): readonly TokenizerPackInfo[] {
  const [packs, setPacks] = useState<readonly TokenizerPackInfo[]>([]);
  useEffect(() => {
    let live = true;
    studio.listTokenizerPacks().then(
      (list) => live && setPacks(list),
      () => live && setPacks([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return packs;
}
