import llamaTokenizer from 'llama-tokenizer-js';
import { describe, expect, it } from 'vitest';
import {
  captionPrompt,
  classificationInstruction,
  classificationPrompt,
  classLabels,
  globalWordsText,
  vqaPrompt,
} from '../../src-main/engine/understand/prompts';
import { labelScores } from '../../src-main/engine/understand/scores';

/** SentencePiece as the authors called it: dummy prefix space on, BOS only where asked. */
const sp = (text: string, bos = false) => llamaTokenizer.encode(text, bos, true);
const IN = sp('###\nInput: < ');
const OUT = sp(' >\nOutput: ');

const dogWords = globalWordsText(['golden retriever', ' dog', ' puppy']);
const catWords = globalWordsText(['tabby cat', ' kitten']);
const queryWords = globalWordsText(['retriever', ' grass']);

describe('understanding prompts (the authors\u2019 eval_understanding.py shape)', () => {
  it('joins global words as the authors do, with no separator of its own', () => {
    expect(dogWords).toBe('golden retriever dog puppy');
    expect(globalWordsText([])).toBe('');
  });

  it('writes the instruction character for character, labels unique and sorted', () => {
    expect(classLabels(['dog', 'cat', 'dog', 'Zebra'])).toEqual(['Zebra', 'cat', 'dog']);
    expect(classificationInstruction(['dog', 'cat', 'dog'])).toBe(
      "For each of the following input output pairs, output is one of ['cat' or ['dog']\n",
    );
    expect(classificationInstruction(['a', 'b', 'c'])).toBe(
      "For each of the following input output pairs, output is one of ['a' or ['b' or ['c']\n",
    );
  });

  it('lays out BOS + instruction, the examples (repeated), then the open query, as separate SentencePiece calls', () => {
    const examples = [
      { label: 'dog', words: dogWords },
      { label: 'cat', words: catWords },
    ];
    const prompt = classificationPrompt(examples, queryWords, 1);
    const example = (words: string, label: string) => [...IN, ...sp(words), ...OUT, ...sp(label)];
    const expected = [
      ...sp(classificationInstruction(['dog', 'cat']), true),
      ...example(dogWords, 'dog'),
      ...example(catWords, 'cat'),
      ...example(dogWords, 'dog'),
      ...example(catWords, 'cat'),
      ...IN,
      ...sp(queryWords),
      ...OUT,
    ];
    expect(prompt.ids).toEqual(expected);
    expect(prompt.ids[0]).toBe(1);
    expect(prompt.ids.filter((id) => id === 1)).toHaveLength(1);
    expect(prompt.labels).toEqual(['cat', 'dog']);
    expect(prompt.labelIds).toEqual([sp('cat'), sp('dog')]);
    // Every piece's ids read back as its text (the dummy prefix space aside).
    for (const piece of prompt.pieces) {
      expect(llamaTokenizer.decode([...piece.ids], true, true)).toBe(piece.text);
    }
    expect(prompt.text).toBe(
      "For each of the following input output pairs, output is one of ['cat' or ['dog']\n" +
        `###\nInput: < ${dogWords} >\nOutput: dog###\nInput: < ${catWords} >\nOutput: cat`.repeat(2) +
        `###\nInput: < ${queryWords} >\nOutput: `,
    );
  });

  it('refuses one class, empty labels and repeats out of range', () => {
    expect(() => classificationPrompt([{ label: 'dog', words: dogWords }], queryWords)).toThrow(
      /two different/,
    );
    expect(() =>
      classificationPrompt(
        [
          { label: ' ', words: dogWords },
          { label: 'cat', words: catWords },
        ],
        queryWords,
      ),
    ).toThrow(/empty/);
    const two = [
      { label: 'dog', words: dogWords },
      { label: 'cat', words: catWords },
    ];
    expect(() => classificationPrompt(two, queryWords, 11)).toThrow(/0 to 10/);
    expect(() => classificationPrompt(two, queryWords, -1)).toThrow(/0 to 10/);
  });

  it('captions in the same shape: BOS, optional examples, the open query', () => {
    expect(captionPrompt([], queryWords).ids).toEqual([1, ...IN, ...sp(queryWords), ...OUT]);
    const withExample = captionPrompt([{ label: 'A dog on grass.', words: dogWords }], queryWords);
    expect(withExample.ids).toEqual([
      1,
      ...IN,
      ...sp(dogWords),
      ...OUT,
      ...sp('A dog on grass.'),
      ...IN,
      ...sp(queryWords),
      ...OUT,
    ]);
  });

  it('asks VQA as "Condition: <words>. Question: <q>. Answer:", one text with BOS', () => {
    const prompt = vqaPrompt(queryWords, 'What animal is it?');
    expect(prompt.text).toBe(`Condition: ${queryWords}. Question: What animal is it? Answer:`);
    expect(prompt.ids).toEqual(sp(`Condition: ${queryWords}. Question: What animal is it? Answer:`, true));
    expect(vqaPrompt(queryWords, '  where is it  ').text).toBe(
      `Condition: ${queryWords}. Question: where is it. Answer:`,
    );
    expect(() => vqaPrompt(queryWords, '   ')).toThrow(/empty/);
  });
});

describe('label scores', () => {
  it('sorts by log-likelihood, gives the mean per token and a softmax over labels', () => {
    const scores = labelScores(['cat', 'dog', 'golden retriever'], [[-2], [-0.5], [-0.2, -0.4, -0.3]]);
    expect(scores.map((s) => s.label)).toEqual(['dog', 'golden retriever', 'cat']);
    expect(scores[1]?.logLikelihood).toBeCloseTo(-0.9, 12);
    expect(scores[1]?.meanLogProb).toBeCloseTo(-0.3, 12);
    expect(scores[1]?.tokens).toBe(3);
    const total = scores.reduce((a, s) => a + s.probability, 0);
    expect(total).toBeCloseTo(1, 12);
    expect((scores[0]?.probability ?? 0) / (scores[2]?.probability ?? 1)).toBeCloseTo(Math.exp(1.5), 9);
  });
});
