import path from 'node:path';

import type { RgbImage } from '../engine/image/types';
import { frechetDistance } from '../engine/metrics/frechet';
import { FidFeatures, LpipsNetwork } from '../engine/metrics/networks';

/**
 * LPIPS and FID over an evaluation, when their networks are there: LPIPS from the pack (the network the authors
 * trained the tokenizer with, which the converter exports when the checkpoint holds it), FID from the InceptionV3
 * ONNX given with --fid-model. Whatever cannot be computed is named in `missing`, with the reason, so a table
 * never shows a gap without saying why.
 */
export class LearnedScores implements AsyncDisposable {
  readonly #real: Float32Array[] = [];
  readonly #scored: Float32Array[] = [];
  #lpipsSum = 0;
  #lpipsCount = 0;

  private constructor(
    private readonly lpips: LpipsNetwork | null,
    private readonly fidNetwork: FidFeatures | null,
    private readonly reasons: readonly string[],
  ) {}

  static async load(packDir: string, fidModel: string | undefined): Promise<LearnedScores> {
    const reasons: string[] = [];
    const lpips = await LpipsNetwork.fromPack(packDir);
    if (!lpips) {
      reasons.push(
        `lpips: the pack ${path.basename(packDir)} holds no LPIPS network (a pack converted from the official ` +
          'checkpoint has it)',
      );
    }
    const fid = fidModel ? await FidFeatures.load(fidModel) : null;
    if (!fid) {
      reasons.push(
        'fid: no --fid-model given (an InceptionV3 pool-feature ONNX: training/metrics/export_inception.py)',
      );
    }
    return new LearnedScores(lpips, fid, reasons);
  }

  /** Scores one image: `scored` against `original` (for restorations, the whole decoded grid, as the authors). */
  async add(original: RgbImage, scored: RgbImage): Promise<void> {
    if (this.lpips) {
      const [distance] = await this.lpips.distances([original], [scored]);
      this.#lpipsSum += distance ?? 0;
      this.#lpipsCount++;
    }
    if (this.fidNetwork) {
      const [real, restored] = await this.fidNetwork.features([original, scored]);
      if (real && restored) {
        this.#real.push(real);
        this.#scored.push(restored);
      }
    }
  }

  /** lpips (mean), fid, and `missing` naming what could not be computed and why. */
  results(): { lpips?: number; fid?: number; missing?: string } {
    const out: { lpips?: number; fid?: number; missing?: string } = {};
    const reasons = [...this.reasons];
    if (this.lpips && this.#lpipsCount > 0)
      out.lpips = Number((this.#lpipsSum / this.#lpipsCount).toFixed(4));
    if (this.fidNetwork) {
      if (this.#real.length >= 2) out.fid = Number(frechetDistance(this.#real, this.#scored).toFixed(3));
      else reasons.push(`fid: needs at least 2 images, got ${this.#real.length}`);
    }
    if (reasons.length > 0) out.missing = reasons.join('; ');
    return out;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.lpips?.dispose();
    await this.fidNetwork?.dispose();
  }
}
