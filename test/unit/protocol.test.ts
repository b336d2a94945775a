import { describe, expect, it } from 'vitest';
import { blindPlan } from '../../src-main/engine/protocol/blind';
import { framing } from '../../src-main/engine/protocol/framing';
import { referencePlan } from '../../src-main/engine/protocol/reference';
import { PAPER_PARAMS, planStarts, taskCells } from '../../src-main/engine/protocol/types';

const clean = Array.from({ length: 256 }, (_, i) => 1000 + i);
const corrupted = clean.map((id) => id + 5000);

/** Splits a prompt into its examples and query on the "###\nInput: < " and " >\nOutput: " framing. */
function parse(prompt: number[], step = 2) {
  const frame = framing(step);
  expect(prompt.slice(0, frame.instruction.length)).toEqual(frame.instruction);
  const body = prompt.slice(frame.instruction.length);
  const parts: { input: number[]; output: number[] }[] = [];
  let i = 0;
  while (i < body.length) {
    expect(body.slice(i, i + frame.input.length)).toEqual(frame.input);
    i += frame.input.length;
    const outAt = body.findIndex((_, j) => j >= i && frame.output.every((t, k) => body[j + k] === t));
    const input = body.slice(i, outAt);
    i = outAt + frame.output.length;
    const nextIn = body.findIndex((_, j) => j >= i && frame.input.every((t, k) => body[j + k] === t));
    const end = nextIn === -1 ? body.length : nextIn;
    parts.push({ input, output: body.slice(i, end) });
    i = end;
  }
  return { examples: parts.slice(0, -1), query: parts.at(-1) };
}

describe('framing', () => {
  it('tokenises the authors text pieces with LLaMA-2 ids, BOS first', () => {
    const frame = framing(2);
    expect(frame.instruction[0]).toBe(1);
    expect(frame.instruction.length).toBeGreaterThan(10);
    expect(frame.input.length).toBeGreaterThan(3);
    expect(frame.output.length).toBeGreaterThan(3);
  });
});

describe('task cells and starts', () => {
  it('match the authors: centre 8x8, bottom half, everything', () => {
    expect(taskCells('inpaint').filter(Boolean)).toHaveLength(64);
    expect(taskCells('inpaint')[4 * 16 + 4]).toBe(true);
    expect(taskCells('inpaint')[4 * 16 + 12]).toBe(false);
    expect(taskCells('outpaint').filter(Boolean)).toHaveLength(128);
    expect(taskCells('outpaint')[128]).toBe(true);
    expect(taskCells('deblur').every(Boolean)).toBe(true);
    expect(planStarts(taskCells('inpaint'), 0, 2).slice(0, 5)).toEqual([68, 70, 72, 74, 84]);
    expect(planStarts(taskCells('deblur'), 21, 2)).toHaveLength(128);
  });
});

describe('reference protocol', () => {
  it('builds inpainting prompts from noisy copies of the clean words, sequentially', () => {
    const plan = referencePlan('inpaint', { clean, corrupted }, PAPER_PARAMS, 7);
    expect(plan).toMatchObject({ sequential: true, protocol: 'reference', globalCount: 0 });
    expect(plan.initial).toEqual(clean);
    expect(plan.starts).toHaveLength(32);
    const working = [...clean];
    const { examples, query } = parse(plan.promptAt(68, working));
    expect(examples).toHaveLength(10);
    // Example i keeps about (1 - rate_i) of its words; the least disturbed example matches most.
    const kept = examples.map(
      ({ input, output }) =>
        [...input, ...output].filter((id, k) => id === clean[52 + k]).length / (input.length + output.length),
    );
    expect(kept[0]).toBeLessThan(kept[9] ?? 0);
    for (const { input, output } of examples) {
      expect(input).toHaveLength(16);
      expect(output).toHaveLength(2);
      for (const id of [...input, ...output]) expect(id).toBeGreaterThanOrEqual(259);
    }
    expect(query).toEqual({ input: working.slice(52, 68), output: [] });
  });

  it('disturbs floor(rate x 256) positions per example over the whole grid', () => {
    const plan = referencePlan('deblur', { clean, corrupted }, PAPER_PARAMS, 3);
    let differences = 0;
    for (const start of plan.starts) {
      const { examples } = parse(plan.promptAt(start, plan.initial));
      differences += examples[0]?.output.filter((id, k) => id !== clean[start + k]).length ?? 0;
    }
    // Example 0 (rate 0.5) replaces 128 positions; a replacement can draw the same id by chance (p ~ 1e-4).
    expect(differences).toBeGreaterThanOrEqual(126);
    expect(differences).toBeLessThanOrEqual(128);
  });

  it('deblur examples map disturbed corrupted words to the same disturbance of the clean words', () => {
    const plan = referencePlan('deblur', { clean, corrupted }, PAPER_PARAMS, 11);
    expect(plan.sequential).toBe(false);
    expect(plan.initial).toEqual(corrupted);
    const { examples, query } = parse(plan.promptAt(100, plan.initial));
    for (const { input, output } of examples) {
      input.forEach((id, k) => {
        // Either both positions were replaced by the same random id, or neither was.
        if (id === corrupted[100 + k]) expect(output[k]).toBe(clean[100 + k]);
        else expect(output[k]).toBe(id);
      });
    }
    expect(query).toEqual({ input: corrupted.slice(100, 102), output: [] });
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = referencePlan('shift', { clean, corrupted }, PAPER_PARAMS, 1).promptAt(10, corrupted);
    const b = referencePlan('shift', { clean, corrupted }, PAPER_PARAMS, 1).promptAt(10, corrupted);
    const c = referencePlan('shift', { clean, corrupted }, PAPER_PARAMS, 2).promptAt(10, corrupted);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('puts global tokens first and never disturbs them', () => {
    const global = Array.from({ length: 21 }, (_, i) => 500 + i);
    const plan = referencePlan('outpaint', { clean, corrupted, global }, PAPER_PARAMS, 5);
    expect(plan.globalCount).toBe(21);
    expect(plan.initial.slice(0, 21)).toEqual(global);
    expect(plan.starts[0]).toBe(21 + 128);
  });

  it('with 21 global tokens disturbs floor(rate x 277) local positions, as the authors count', () => {
    const global = Array.from({ length: 21 }, (_, i) => 500 + i);
    const plan = referencePlan('deblur', { clean, corrupted, global }, PAPER_PARAMS, 3);
    const sequence = [...global, ...clean];
    let differences = 0;
    for (const start of plan.starts) {
      const { examples } = parse(plan.promptAt(start, plan.initial));
      differences += examples[0]?.output.filter((id, k) => id !== sequence[start + k]).length ?? 0;
    }
    // int(0.5 * 277) = 138 of the 256 local words (a replacement may draw the same id by chance).
    expect(differences).toBeGreaterThanOrEqual(136);
    expect(differences).toBeLessThanOrEqual(138);
  });

  it("keeps global tokens out of every prompt of the paper's tasks", () => {
    const global = Array.from({ length: 21 }, (_, i) => 500 + i);
    for (const task of ['inpaint', 'outpaint', 'deblur'] as const) {
      const plan = referencePlan(task, { clean, corrupted, global }, PAPER_PARAMS, 7);
      for (const start of plan.starts) {
        // Each prompt reads the 16 words before a position (in/outpainting) or the 2 at it: all local.
        const first = plan.sequential ? start - PAPER_PARAMS.promptLength : start;
        expect(first).toBeGreaterThanOrEqual(21);
        expect(parse(plan.promptAt(start, plan.initial)).query?.input).toEqual(
          plan.initial.slice(first, plan.sequential ? start : start + PAPER_PARAMS.step),
        );
      }
    }
  });

  it('refuses a grid of the wrong size', () => {
    expect(() => referencePlan('deblur', { clean: clean.slice(1), corrupted }, PAPER_PARAMS, 1)).toThrow(
      /255 words/,
    );
  });
});

describe('blind protocol', () => {
  it('takes in/outpainting examples only from intact runs, nearest last, never from the damage', () => {
    const cells = taskCells('inpaint');
    const plan = blindPlan('inpaint', { corrupted, cells }, PAPER_PARAMS);
    expect(plan.initial).toEqual(corrupted);
    const { examples } = parse(plan.promptAt(68, corrupted));
    expect(examples).toHaveLength(10);
    for (const { input, output } of examples) {
      const at = corrupted.indexOf(output[0] ?? -1);
      expect(input).toEqual(corrupted.slice(at - 16, at));
      for (let k = at - 16; k < at + 2; k++) expect(cells[k]).toBe(false);
    }
    const distances = examples.map(({ output }) => {
      const at = corrupted.indexOf(output[0] ?? -1);
      return Math.hypot(Math.floor(at / 16) - 4, (at % 16) - 4);
    });
    expect([...distances].sort((a, b) => b - a)).toEqual(distances);
  });

  it('uses the bank at the same grid position for deblur', () => {
    const bank = [0, 1, 2].map((b) => ({
      clean: clean.map((id) => id + 100 * b),
      degraded: clean.map((id) => id + 100 * b + 7),
    }));
    const plan = blindPlan('deblur', { corrupted, bank }, PAPER_PARAMS);
    const { examples, query } = parse(plan.promptAt(40, corrupted));
    expect(examples).toEqual(
      bank.map((entry) => ({ input: entry.degraded.slice(40, 42), output: entry.clean.slice(40, 42) })),
    );
    expect(query?.input).toEqual(corrupted.slice(40, 42));
  });

  it('explains what is missing', () => {
    expect(() => blindPlan('deblur', { corrupted }, PAPER_PARAMS)).toThrow(/bank/);
    expect(() =>
      blindPlan('inpaint', { corrupted, cells: new Array<boolean>(256).fill(true) }, PAPER_PARAMS),
    ).toThrow(/damage covers the whole image: mark a smaller region\.$/);
  });

  it('outpaints sideways: with damage in every row, examples whose words are intact and whose context mostly is', () => {
    // The right 4 columns of every row, as when the canvas is extended to the right: no 18 intact words in a row.
    const cells = Array.from({ length: 256 }, (_, i) => i % 16 >= 12);
    const plan = blindPlan('outpaint', { corrupted, cells }, PAPER_PARAMS);
    const start = 5 * 16 + 12;
    const { examples, query } = parse(plan.promptAt(start, corrupted));
    expect(examples).toHaveLength(10);
    for (const { input, output } of examples) {
      const at = corrupted.indexOf(output[0] ?? -1);
      expect(input).toEqual(corrupted.slice(at - 16, at));
      expect([cells[at], cells[at + 1]]).toEqual([false, false]);
      expect(input.filter((_, k) => !cells[at - 16 + k]).length).toBeGreaterThanOrEqual(8);
    }
    expect(query?.input).toEqual(corrupted.slice(start - 16, start));
  });
});
