import { StudioError } from '../../engine/errors';
import type { Command } from '../command';
import { EVAL_DEBLUR_BOUND_HELP, evalDeblurBound } from './eval-deblur-bound';
import { EVAL_LM_HELP, evalLm } from './eval-lm';
import { EVAL_NAIVE_HELP, evalNaive } from './eval-naive';
import { EVAL_PAPER_HELP, evalPaper } from './eval-paper';
import { EVAL_RECONSTRUCTION_HELP, evalReconstruction } from './eval-reconstruction';
import { EVAL_RESTORE_HELP, evalRestore } from './eval-restore';

/** Evaluations, each with its help text and the function taking the arguments after its name. */
const EVALUATIONS: Readonly<Record<string, { help: string; run: (args: string[]) => Promise<void> }>> = {
  reconstruction: { help: EVAL_RECONSTRUCTION_HELP, run: evalReconstruction },
  restore: { help: EVAL_RESTORE_HELP, run: evalRestore },
  lm: { help: EVAL_LM_HELP, run: evalLm },
  naive: { help: EVAL_NAIVE_HELP, run: evalNaive },
  'deblur-bound': { help: EVAL_DEBLUR_BOUND_HELP, run: evalDeblurBound },
  paper: { help: EVAL_PAPER_HELP, run: evalPaper },
};

export const evalCommand: Command = {
  name: 'eval',
  usage: 'eval reconstruction|restore|lm|naive|deblur-bound|paper [options] [--json]',
  summary: 'measure the tokenizer, restoration or the language model (add --help for each)',
  run: async (args) => {
    const [name, ...rest] = args;
    const evaluation = name === undefined ? undefined : EVALUATIONS[name];
    if (!evaluation) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `eval takes one of ${Object.keys(EVALUATIONS).join(', ')}, not ${name === undefined ? 'nothing' : `"${name}"`}.`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(`Usage: npm run -s v2l -- ${evaluation.help}`);
      return;
    }
    await evaluation.run(rest);
  },
};
