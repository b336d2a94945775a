import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MEASURED_FILE, readFigures, writeFigures } from '../../src-main/engine/llm/measured';

const figures = {
  measuredOn: '2026-12-03',
  command: 'npm run -s v2l -- eval lm',
  valLoss: 6.5,
  copyNoisy10: 0.9,
  copyClean10: 0.97,
  repeatCopy: 0.95,
};

describe('measured figures next to a GGUF', () => {
  const dirs: string[] = [];
  const model = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-measured-'));
    dirs.push(dir);
    const file = path.join(dir, 'm.gguf');
    fs.writeFileSync(file, 'GGUF and some bytes');
    return file;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are read back for the file they were measured on', () => {
    const file = model();
    writeFigures(file, figures);
    expect(readFigures(file)).toMatchObject({ file: 'm.gguf', ...figures });
  });

  it('are not shown once the model file is replaced', () => {
    const file = model();
    writeFigures(file, figures);
    fs.writeFileSync(file, 'GGUF and other bytes, longer');
    expect(readFigures(file)).toBeNull();
  });

  it('are absent without a record, or with a damaged one', () => {
    const file = model();
    expect(readFigures(file)).toBeNull();
    fs.writeFileSync(path.join(path.dirname(file), MEASURED_FILE), '{"file": "m.gguf"');
    expect(readFigures(file)).toBeNull();
  });
});
