// End-to-end test of the converter on random weights in the released layout (narrow "ci" widths):
//   1. write a random checkpoint with the released tensor names, and the same weights split into the separate
//      files a user may have to supply (codebooks, CLIP);
//   2. both load strictly and assemble the same weights (digest); a strict load refuses any other layout;
//   3. convert to a pack with a PyTorch reference, and compare onnxruntime-node with it (parity.mjs).
// Prints max_abs_diff=...; exits non-zero on any failure. Python: $V2L_PYTHON or /usr/bin/python3.
//   node training/convert/test_convert.mjs [--config ci|official] [OUT_DIR]   (default ci, test-output/convert)
// --config official runs the same steps at the released widths (about 400 M parameters; several GB of disk and
// memory, many minutes on a small CPU): for a one-off check by hand, not for CI.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { python, stepRunner } from '../test_steps.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const argv = process.argv.slice(2);
const configAt = argv.indexOf('--config');
const config = configAt >= 0 ? argv.splice(configAt, 2)[1] : 'ci';
if (config !== 'ci' && config !== 'official') {
  console.error('usage: node test_convert.mjs [--config ci|official] [OUT_DIR]');
  process.exit(2);
}
const out = path.resolve(argv[0] ?? path.join(root, 'test-output', 'convert'));
const started = performance.now();
const run = stepRunner('test:convert', here);

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const whole = path.join(out, 'checkpoint');
const split = path.join(out, 'checkpoint-split');
const py = (script, ...args) => [path.join(here, script), ...args];

run(
  `random checkpoint (released names, ${config} widths)`,
  python,
  py('make_random_checkpoint.py', whole, '--config', config),
);
run('same weights, pieces as separate files', python, py('make_random_checkpoint.py', split, '--config', config, '--split'));

run('strict load refuses extra, missing and reshaped tensors', python, py('check_strict.py'));

const digest = (dir, extra) =>
  JSON.parse(
    run(
      `strict load ${path.basename(dir)}`,
      python,
      py(
        'convert.py',
        '--checkpoint',
        path.join(dir, 'v2l-decode.pth'),
        '--global-vocabulary',
        path.join(dir, 'global_vocabulary.npy'),
        '--out',
        path.join(out, 'not-written'),
        '--check-only',
        ...extra,
      ),
      { capture: true },
    )
      .trim()
      .split('\n')
      .pop(),
  ).weights_sha256;
const a = digest(whole, []);
const b = digest(split, [
  '--local-codebook',
  path.join(split, 'local_codebook_embedding.pth'),
  '--global-codebook',
  path.join(split, 'global_codebook_embedding.pth'),
  '--clip',
  path.join(split, 'clip-visual.pt'),
]);
if (a !== b) {
  console.error(`test:convert: the split files assemble different weights (${a} vs ${b})`);
  process.exit(1);
}
console.log('test:convert: checkpoint alone and checkpoint + separate pieces give the same weights');

const pack = path.join(out, 'pack');
const reference = path.join(out, 'reference');
run(
  'convert to a pack with a global branch',
  python,
  py(
    'convert.py',
    '--checkpoint',
    path.join(whole, 'v2l-decode.pth'),
    '--global-vocabulary',
    path.join(whole, 'global_vocabulary.npy'),
    '--out',
    pack,
    '--name',
    `v2l-random-${config}`,
    '--reference',
    '2',
    '--reference-dir',
    reference,
  ),
);
run('onnxruntime-node vs PyTorch', process.execPath, [path.join(here, 'parity.mjs'), pack, reference]);
console.log(`test:convert: ok in ${((performance.now() - started) / 1000).toFixed(0)} s`);
