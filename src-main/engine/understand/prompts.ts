import llamaTokenizer from 'llama-tokenizer-js';
import { StudioError } from '../errors';
import { BOS_ID } from '../llm/text';

/**
 * Prompts of the paper's understanding half, built as LLaMA-2 ids. An image enters them as the text of its
 * global words (the global vocabulary's uni/bi/trigrams), tokenised like any other text: unlike the local words of
 * a restoration prompt, global words are not LLaMA-2 ids themselves.
 *
 * Classification follows the authors' eval_understanding.py piece by piece: each piece is tokenised on its own with
 * SentencePiece's dummy prefix (BOS only on the instruction), and the pieces are concatenated as ids.
 */

/** A piece of a prompt: its text and its ids. `text` joined over pieces is what the prompt reads as. */
export interface PromptPiece {
  readonly role: 'instruction' | 'input' | 'words' | 'output' | 'label' | 'text';
  readonly text: string;
  readonly ids: readonly number[];
}

export interface BuiltPrompt {
  readonly pieces: readonly PromptPiece[];
  readonly ids: number[];
  /** The prompt as text, for display; the model reads `ids`. */
  readonly text: string;
}

/** Largest label, caption or question accepted, in characters. */
export const MAX_TEXT_CHARS = 300;

const piece = (role: PromptPiece['role'], text: string, bos = false): PromptPiece => ({
  role,
  text,
  ids: llamaTokenizer.encode(text, bos, true),
});

function built(pieces: readonly PromptPiece[]): BuiltPrompt {
  return { pieces, ids: pieces.flatMap((p) => p.ids), text: pieces.map((p) => p.text).join('') };
}

/**
 * The text an image's global words make: the vocabulary entries concatenated in rank order, as the authors'
 * loop does (`vis_texts + text`), so any spacing comes from the entries themselves.
 */
export function globalWordsText(words: readonly string[]): string {
  return words.join('');
}

/** Labels as the authors list them: distinct and sorted by code point (numpy's unique). */
export function classLabels(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The instruction of eval_understanding.py, character for character. Its loop writes "['label' or " for every
 * class and then drops the last " or ", so each class after the first also opens a bracket:
 * "... output is one of ['cat' or ['dog']\n". That is the text the published numbers were measured with.
 */
export function classificationInstruction(labels: readonly string[]): string {
  const listed = classLabels(labels)
    .map((label) => `['${label}' or `)
    .join('');
  return `For each of the following input output pairs, output is one of ${listed.slice(0, -4)}]\n`;
}

export interface LabelledWords {
  readonly label: string;
  /** The example image's global words, as `globalWordsText` joins them. */
  readonly words: string;
}

export interface ClassificationPrompt extends BuiltPrompt {
  /** The candidate answers, in the instruction's order. */
  readonly labels: readonly string[];
  /** Each label's ids as the examples carry it after "Output: " (dummy prefix, no BOS, no EOS). */
  readonly labelIds: readonly (readonly number[])[];
}

/**
 * N-way K-shot classification: BOS + instruction, then every example as "###\nInput: < words >\nOutput: label",
 * the whole list `repeats + 1` times (the authors' --repeat), then the query with its output left open.
 */
export function classificationPrompt(
  examples: readonly LabelledWords[],
  queryWords: string,
  repeats = 0,
): ClassificationPrompt {
  checkRepeats(repeats);
  for (const example of examples) checkText(example.label, 'A label');
  const labels = classLabels(examples.map((e) => e.label));
  if (labels.length < 2) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      'Classification needs examples of at least two different labels: add an example of another class.',
    );
  }
  const pieces: PromptPiece[] = [piece('instruction', classificationInstruction(labels), true)];
  for (let round = 0; round <= repeats; round++) {
    for (const example of examples) pieces.push(...examplePieces(example.words, example.label));
  }
  pieces.push(...queryPieces(queryWords));
  return {
    ...built(pieces),
    labels,
    labelIds: labels.map((label) => llamaTokenizer.encode(label, false, true)),
  };
}

/**
 * Captioning in the same shape ("Input: <global words>, Output:"): optional captioned examples, then the query.
 * With no examples the prompt is BOS followed by the query alone.
 */
export function captionPrompt(examples: readonly LabelledWords[], queryWords: string): BuiltPrompt {
  for (const example of examples) checkText(example.label, 'A caption');
  const pieces: PromptPiece[] = [{ role: 'instruction', text: '', ids: [BOS_ID] }];
  for (const example of examples) pieces.push(...examplePieces(example.words, example.label));
  pieces.push(...queryPieces(queryWords));
  return built(pieces);
}

/**
 * Visual question answering as the paper writes it: "Condition: <global words>. Question: <question>. Answer:",
 * one text with BOS. A question that already ends in . ? or ! gets no second full stop.
 */
export function vqaPrompt(queryWords: string, question: string): BuiltPrompt {
  const q = question.trim();
  checkText(q, 'The question');
  const stop = /[.?!]$/.test(q) ? '' : '.';
  return built([piece('text', `Condition: ${queryWords}. Question: ${q}${stop} Answer:`, true)]);
}

function examplePieces(words: string, output: string): PromptPiece[] {
  return [
    piece('input', '###\nInput: < '),
    piece('words', words),
    piece('output', ' >\nOutput: '),
    piece('label', output),
  ];
}

function queryPieces(words: string): PromptPiece[] {
  return [piece('input', '###\nInput: < '), piece('words', words), piece('output', ' >\nOutput: ')];
}

function checkText(text: string, what: string): void {
  if (text.trim() === '') throw new StudioError('INVALID_ARGUMENT', `${what} is empty: type some text.`);
  if (text.length > MAX_TEXT_CHARS) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${what} is ${text.length} characters; keep it to ${MAX_TEXT_CHARS}.`,
    );
  }
}

function checkRepeats(repeats: number): void {
  if (!Number.isInteger(repeats) || repeats < 0 || repeats > 10) {
    throw new StudioError('INVALID_ARGUMENT', `Repeats must be a whole number from 0 to 10, not ${repeats}.`);
  }
}
