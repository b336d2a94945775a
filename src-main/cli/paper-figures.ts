import { paperTaskOrder } from '../../src-shared/tasks/registry';
import type { Task } from '../engine/protocol/types';

/**
 * The V2L paper's own figures (Zhu, Wei, Lu, "Beyond Text: Frozen Large Language Models in Visual Signal
 * Comprehension", CVPR 2024, arXiv 2403.07874), as printed: Table 3 (reconstruction, ImageNet-1K val, 128 px) and
 * Table 4 (the five restoration tasks with the V2L tokenizer and LLaMA-2, 5,000 ImageNet-1K val images). Table 4
 * gives FID and LPIPS only; Table 3 no SSIM. A figure the paper does not give is null.
 */
export interface PaperFigures {
  readonly fid: number | null;
  readonly lpips: number | null;
  readonly psnr_y: number | null;
  readonly ssim: number | null;
}

export const PAPER_SOURCE =
  'Zhu, Wei, Lu, CVPR 2024 (arXiv 2403.07874): Table 3 (reconstruction, ImageNet-1K val, 128 px; "Ours" rows) ' +
  'and Table 4 (restoration, "Ours" with LLaMA-2 7B, 5,000 ImageNet-1K val images)';

/** Table 3: the local tokenizer (LLaMA-2 codebook, 256 tokens) and the hybrid with 21 global tokens (277). */
export const PAPER_RECONSTRUCTION: Readonly<Record<'local' | 'hybrid', PaperFigures>> = {
  local: { fid: 3.41, lpips: 0.08, psnr_y: 23.56, ssim: null },
  hybrid: { fid: 2.88, lpips: 0.08, psnr_y: 23.25, ssim: null },
};

/** Table 4, the LLaMA-2 7B row (the model the studio's official setup uses); a task the paper lacks has none. */
export const PAPER_RESTORATION: Readonly<Partial<Record<Task, PaperFigures>>> = {
  inpaint: { fid: 13.13, lpips: 0.1219, psnr_y: null, ssim: null },
  outpaint: { fid: 15.28, lpips: 0.1442, psnr_y: null, ssim: null },
  deblur: { fid: 10.09, lpips: 0.1033, psnr_y: null, ssim: null },
  rotate: { fid: 10.64, lpips: 0.1064, psnr_y: null, ssim: null },
  shift: { fid: 10.53, lpips: 0.1058, psnr_y: null, ssim: null },
};

/** The tasks of Table 4, in its column order. */
export const PAPER_TASK_ORDER: readonly Task[] = paperTaskOrder().filter((t) => PAPER_RESTORATION[t]);
