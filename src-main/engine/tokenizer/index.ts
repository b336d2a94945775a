/**
 * The V2L tokenizer runtime: model packs (manifest checks, default pack), the ONNX sessions behind them, the
 * LLaMA-2 vocabulary that names the tokens, and a pack's optional global branch (CLIP global tokens and their
 * vocabulary). onnxruntime-node itself stays inside ./onnx.
 */
export {
  GLOBAL_ROLES,
  loadPack,
  MANIFEST_FILE,
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  readManifest,
  SUPPORTED_FORMAT_VERSIONS,
} from './manifest';
export type {
  GlobalRole,
  PackFile,
  PackGlobalBranch,
  PackManifest,
  PackMatrixFile,
  PackRole,
  VerifiedPack,
} from './manifest';
export { candidateProviders, PROVIDER_PREFERENCE } from './onnx';
export type { ExecutionProvider, ProviderAttempt, SessionOptions } from './onnx';
export { defaultPackDir, listInstalledPacks, modelsDir } from './packs';
export { V2LTokenizer } from './tokenizer';
export type { GlobalBranchInfo, TokenGrid, TokenizerInfo, TokenizerOptions } from './tokenizer';
export {
  FIRST_IMAGE_TOKEN_ID,
  isImageTokenId,
  LAST_IMAGE_TOKEN_ID,
  tokenPiece,
  tokenText,
  tokenTexts,
  VOCABULARY_NAME,
  VOCABULARY_SIZE,
  vocabularyPieces,
  vocabularySha256,
} from './vocabulary';
