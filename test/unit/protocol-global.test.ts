import { describe, expect, it } from 'vitest';
import { blindPlan } from '../../src-main/engine/protocol/blind';
import { framing } from '../../src-main/engine/protocol/framing';
import { referencePlan } from '../../src-main/engine/protocol/reference';
import { PAPER_PARAMS } from '../../src-main/engine/protocol/types';

/** Restoration prompts with a global branch: the 21 global ids lead every sequence, the 256 local words follow. */
const global = Array.from({ length: 21 }, (_, i) => 40 + i * 500);
const clean = Array.from({ length: 256 }, (_, i) => 1000 + i);
const corrupted = clean.map((id, i) => (i % 3 === 0 ? 20000 + i : id));
const frame = framing(PAPER_PARAMS.step);

/** The query's input words: what sits between the last "###\nInput: < " and " >\nOutput: ". */
function queryInput(prompt: readonly number[]): number[] {
  const text = prompt.join(',');
  const open = text.lastIndexOf(frame.input.join(','));
  const close = text.lastIndexOf(frame.output.join(','));
  return text
    .slice(open + frame.input.join(',').length, close)
    .split(',')
    .filter((s) => s !== '')
    .map(Number);
}

describe('restoration prompts with global tokens', () => {
  it('reference: sequence = 21 global then 256 local; an early cell reads the last global ids as context', () => {
    const cells = Array.from({ length: 256 }, (_, i) => i === 3 || i === 4);
    const plan = referencePlan('inpaint', { clean, corrupted, global, cells }, PAPER_PARAMS, 9);
    expect(plan.initial).toEqual([...global, ...clean]);
    expect(plan.starts).toEqual([21 + 3]);
    const prompt = plan.promptAt(24, plan.initial);
    // 16 words before local cell 3: global ids 8..20, then local cells 0..2.
    expect(queryInput(prompt)).toEqual([...global.slice(8), ...clean.slice(0, 3)]);
    expect(prompt.slice(0, frame.instruction.length)).toEqual([...frame.instruction]);
  });

  it('reference: global ids are never replaced in the examples, local ids are', () => {
    const plan = referencePlan('inpaint', { clean, corrupted, global }, PAPER_PARAMS, 2);
    // The centre block's first cell (row 4, column 4) reads 16 local words; every example copy keeps the prefix.
    const prompt = plan.promptAt(21 + 68, plan.initial);
    expect(queryInput(prompt)).toEqual(clean.slice(52, 68));
    const early = referencePlan(
      'inpaint',
      { clean, corrupted, global, cells: clean.map((_, i) => i === 0) },
      PAPER_PARAMS,
      2,
    );
    const first = early.promptAt(21, early.initial);
    // Cell 0's context is all global: 16 of the 21 global ids, in order, in the query and in all ten examples.
    expect(queryInput(first)).toEqual(global.slice(5));
    const text = first.join(',');
    const occurrences = text.split(global.slice(5).join(',')).length - 1;
    expect(occurrences).toBe(11);
  });

  it('blind: the damaged image\u2019s sequence starts with its global ids and they stay fixed', () => {
    const cells = Array.from({ length: 256 }, (_, i) => i >= 240);
    const plan = blindPlan('outpaint', { corrupted, global, cells }, PAPER_PARAMS);
    expect(plan.initial.slice(0, 21)).toEqual(global);
    expect(plan.initial.slice(21)).toEqual(corrupted);
    expect(plan.globalCount).toBe(21);
    expect(Math.min(...plan.starts)).toBe(21 + 240);
    expect(queryInput(plan.promptAt(21 + 240, plan.initial))).toEqual(corrupted.slice(224, 240));
  });

  it('without a global branch the local words alone make the sequence, as before', () => {
    const plan = referencePlan('inpaint', { clean, corrupted }, PAPER_PARAMS, 9);
    expect(plan.globalCount).toBe(0);
    expect(plan.initial).toEqual(clean);
    expect(plan.starts[0]).toBe(68);
  });
});
