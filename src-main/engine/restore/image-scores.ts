/** The scores every restoration has, a view's or a whole photo's. */
export interface ImageScores {
  readonly tokenAccuracy: number;
  readonly psnr: number;
  readonly psnrY: number;
  readonly ssim: number;
  readonly psnrCorrupted: number;
  readonly ssimCorrupted: number;
}

/** Those scores under the keys a run's record and the CLI's JSON use (kept as they are: scripts read them). */
export function scoreRecord(m: ImageScores): Record<string, number> {
  return {
    token_accuracy: m.tokenAccuracy,
    psnr: m.psnr,
    psnr_y: m.psnrY,
    ssim: m.ssim,
    psnr_corrupted: m.psnrCorrupted,
    ssim_corrupted: m.ssimCorrupted,
  };
}
