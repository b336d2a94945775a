/**
 * Block size (elements) and bytes per block of each ggml tensor type, by type id, as llama.cpp 3.21.1's bindings
 * report them (getBlockSizeForGgmlType / getTypeSizeForGgmlType). Ids missing here were removed from ggml (4, 5,
 * 31-33, 36-38); a tensor of such a type, or of a newer one, cannot be loaded.
 */
export const GGML_TYPE_SIZES: Readonly<Record<number, { readonly block: number; readonly bytes: number }>> = {
  0: { block: 1, bytes: 4 }, // F32
  1: { block: 1, bytes: 2 }, // F16
  2: { block: 32, bytes: 18 }, // Q4_0
  3: { block: 32, bytes: 20 }, // Q4_1
  6: { block: 32, bytes: 22 }, // Q5_0
  7: { block: 32, bytes: 24 }, // Q5_1
  8: { block: 32, bytes: 34 }, // Q8_0
  9: { block: 32, bytes: 36 }, // Q8_1
  10: { block: 256, bytes: 84 }, // Q2_K
  11: { block: 256, bytes: 110 }, // Q3_K
  12: { block: 256, bytes: 144 }, // Q4_K
  13: { block: 256, bytes: 176 }, // Q5_K
  14: { block: 256, bytes: 210 }, // Q6_K
  15: { block: 256, bytes: 292 }, // Q8_K
  16: { block: 256, bytes: 66 }, // IQ2_XXS
  17: { block: 256, bytes: 74 }, // IQ2_XS
  18: { block: 256, bytes: 98 }, // IQ3_XXS
  19: { block: 256, bytes: 50 }, // IQ1_S
  20: { block: 32, bytes: 18 }, // IQ4_NL
  21: { block: 256, bytes: 110 }, // IQ3_S
  22: { block: 256, bytes: 82 }, // IQ2_S
  23: { block: 256, bytes: 136 }, // IQ4_XS
  24: { block: 1, bytes: 1 }, // I8
  25: { block: 1, bytes: 2 }, // I16
  26: { block: 1, bytes: 4 }, // I32
  27: { block: 1, bytes: 8 }, // I64
  28: { block: 1, bytes: 8 }, // F64
  29: { block: 256, bytes: 56 }, // IQ1_M
  30: { block: 1, bytes: 2 }, // BF16
  34: { block: 256, bytes: 54 }, // TQ1_0
  35: { block: 256, bytes: 66 }, // TQ2_0
  39: { block: 32, bytes: 17 }, // MXFP4
  40: { block: 64, bytes: 36 },
  41: { block: 128, bytes: 18 },
};
