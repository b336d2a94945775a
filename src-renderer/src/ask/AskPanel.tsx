import { useEffect, useRef, useState } from 'react';
import type { OpenedImage, SampleInfo } from '../../../src-shared/contract/api';
import type { AskAvailability, AskKind, AskResult } from '../../../src-shared/contract/ask';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';
import { Dialog } from '../components/Dialog';
import { ErrorBanner } from '../components/ErrorBanner';
import { ACCEPTED_IMAGE_TYPES, fileToBase64 } from '../files';
import { GlobalWords } from '../results/GlobalWords';
import { buildAskRequest, type Example } from './request';
import { useAskJob } from './useAskJob';
import './ask.css';

interface AskPanelProps {
  /** The photo open in the editor, offered as the query. */
  readonly image: OpenedImage | null;
  readonly samples: readonly SampleInfo[];
  readonly onClose: () => void;
}

const KINDS: readonly { kind: AskKind; label: string; hint: string }[] = [
  {
    kind: 'classify',
    label: 'Classify',
    hint: 'Few-shot: label example images, and the language model picks the label of the query among them.',
  },
  { kind: 'caption', label: 'Caption', hint: 'A sentence about the query; captioned examples are optional.' },
  { kind: 'vqa', label: 'Question', hint: 'Ask a question about the query image.' },
];

/**
 * The paper's understanding half: the frozen LM reads images through their global words. Available only with a
 * pack that has a global branch; otherwise the panel says why and what to install.
 */
export function AskPanel({ image, samples, onClose }: AskPanelProps) {
  const [availability, setAvailability] = useState<AskAvailability | null>(null);
  const [kind, setKind] = useState<AskKind>('classify');
  const [query, setQuery] = useState<OpenedImage | null>(image);
  const [examples, setExamples] = useState<readonly Example[]>([]);
  const [repeats, setRepeats] = useState(0);
  const [question, setQuestion] = useState('');
  const [maxTokens, setMaxTokens] = useState(32);
  const [pickError, setPickError] = useState<ReturnType<typeof errorPayloadOf> | null>(null);
  const nextKey = useRef(1);
  const job = useAskJob();
  const progress = job.state.snapshot?.progress ?? null;
  const [dismissed, setDismissed] = useState<object | null>(null);
  const jobError = job.state.error !== dismissed ? job.state.error : null;

  // A job left running after the panel closes would hold the language model that restorations share.
  const { busy, cancel } = job;
  const running = useRef({ busy, cancel });
  useEffect(() => {
    running.current = { busy, cancel };
  }, [busy, cancel]);
  useEffect(
    () => () => {
      if (running.current.busy) void running.current.cancel();
    },
    [],
  );

  useEffect(() => {
    void studio
      .askAvailability()
      .then(setAvailability, (error: unknown) =>
        setAvailability({ available: false, reason: errorPayloadOf(error).message, tokenizer: null }),
      );
  }, []);

  const enabled = availability?.available === true;
  const request = buildAskRequest(kind, query, examples, repeats, question, maxTokens);
  const addExample = (opened: OpenedImage) =>
    setExamples((list) => [...list, { key: nextKey.current++, label: '', image: opened }]);

  return (
    <Dialog title="Ask (understanding)" onClose={onClose} testId="ask-panel">
      {availability === null ? (
        <p className="hint">Checking the tokenizer pack…</p>
      ) : (
        !enabled && (
          <p className="ask-unavailable" role="note" data-testid="ask-unavailable">
            {availability.reason}
          </p>
        )
      )}
      {pickError && (
        <ErrorBanner error={pickError} onDismiss={() => setPickError(null)} testId="ask-pick-error" />
      )}
      <fieldset className="ask-form" disabled={!enabled || job.busy} data-testid="ask-form">
        <div className="ask-kinds" role="tablist" aria-label="What to ask">
          {KINDS.map((k) => (
            <button
              key={k.kind}
              type="button"
              role="tab"
              aria-selected={kind === k.kind}
              data-testid={`ask-kind-${k.kind}`}
              onClick={() => setKind(k.kind)}
            >
              {k.label}
            </button>
          ))}
        </div>
        <p className="hint">{KINDS.find((k) => k.kind === kind)?.hint}</p>

        <section className="ask-query" aria-label="Query image">
          <h3>Query image</h3>
          <ImageChoice
            image={query}
            samples={samples}
            testId="ask-query"
            onPick={setQuery}
            onError={setPickError}
          />
        </section>

        {kind !== 'vqa' && (
          <section aria-label="Examples">
            <h3>{kind === 'classify' ? 'Labelled examples' : 'Captioned examples (optional)'}</h3>
            <ul className="ask-examples" data-testid="ask-examples">
              {examples.map((example, i) => (
                <li key={example.key}>
                  <img src={example.image.displayUrl} alt="" />
                  <span className="ask-name" title={example.image.name}>
                    {example.image.name}
                  </span>
                  <input
                    type="text"
                    value={example.label}
                    maxLength={300}
                    placeholder={kind === 'classify' ? 'label' : 'caption'}
                    aria-label={`${kind === 'classify' ? 'Label' : 'Caption'} of example ${i + 1}`}
                    data-testid={`ask-example-label-${i}`}
                    onChange={(e) =>
                      setExamples((list) =>
                        list.map((x) => (x.key === example.key ? { ...x, label: e.target.value } : x)),
                      )
                    }
                  />
                  <button
                    type="button"
                    aria-label={`Remove example ${i + 1}`}
                    onClick={() => setExamples((list) => list.filter((x) => x.key !== example.key))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <ImageChoice
              image={null}
              samples={samples}
              testId="ask-add-example"
              addLabel="Add example"
              onPick={addExample}
              onError={setPickError}
            />
            {kind === 'classify' && (
              <label className="inline-field">
                Repeats
                <input
                  type="number"
                  min={0}
                  max={10}
                  value={repeats}
                  data-testid="ask-repeats"
                  onChange={(e) =>
                    setRepeats(Math.max(0, Math.min(10, Math.round(Number(e.target.value) || 0))))
                  }
                />
                <span className="hint">extra copies of the example list, as the authors&apos; --repeat</span>
              </label>
            )}
          </section>
        )}

        {kind === 'vqa' && (
          <label className="ask-question">
            Question
            <input
              type="text"
              value={question}
              maxLength={300}
              placeholder="What is in the picture?"
              data-testid="ask-question"
              onChange={(e) => setQuestion(e.target.value)}
            />
          </label>
        )}
        {kind !== 'classify' && (
          <label className="inline-field">
            Token limit
            <input
              type="number"
              min={1}
              max={128}
              value={maxTokens}
              data-testid="ask-max-tokens"
              onChange={(e) =>
                setMaxTokens(Math.max(1, Math.min(128, Math.round(Number(e.target.value) || 1))))
              }
            />
          </label>
        )}
      </fieldset>

      <div className="ask-actions">
        {job.busy ? (
          <button type="button" data-testid="ask-cancel" onClick={() => void job.cancel()}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            data-testid="ask-run"
            disabled={!enabled || 'reason' in request}
            title={'reason' in request ? request.reason : undefined}
            onClick={() => 'request' in request && void job.start(request.request)}
          >
            Ask
          </button>
        )}
        {enabled && 'reason' in request && (
          <span className="hint" data-testid="ask-blocked">
            {request.reason}
          </span>
        )}
        {job.busy && progress && (
          <span className="job-status" data-testid="ask-progress">
            <progress value={progress.step} max={Math.max(1, progress.of)} /> {progress.message}
          </span>
        )}
        {job.state.status === 'cancelled' && <span data-testid="ask-cancelled">Cancelled.</span>}
      </div>
      {jobError && (
        <ErrorBanner error={jobError} onDismiss={() => setDismissed(jobError)} testId="ask-error" />
      )}
      {job.busy && job.state.text && (
        <p className="ask-live" data-testid="ask-live">
          {job.state.text}
        </p>
      )}
      {job.state.result && <AskAnswer result={job.state.result} />}
    </Dialog>
  );
}

function AskAnswer({ result }: { result: AskResult }) {
  return (
    <section className="ask-answer" data-testid="ask-answer" aria-label="Answer">
      <h3>
        Answer: <q data-testid="ask-answer-text">{result.answer}</q>
      </h3>
      {result.kind === 'classify' ? (
        <table className="metrics" data-testid="ask-scores">
          <caption>Label scores (log-likelihood of each label&apos;s tokens after the prompt)</caption>
          <thead>
            <tr>
              <th scope="col">label</th>
              <th scope="col">log-likelihood</th>
              <th scope="col">per token</th>
              <th scope="col">share</th>
            </tr>
          </thead>
          <tbody>
            {result.scores.map((s) => (
              <tr key={s.label} data-label={s.label}>
                <th scope="row">{s.label}</th>
                <td>{s.logLikelihood.toFixed(3)}</td>
                <td>{s.meanLogProb.toFixed(3)}</td>
                <td>
                  <meter min={0} max={1} value={s.probability} /> {(s.probability * 100).toFixed(1)} %
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="hint">Stopped at: {result.stop === 'limit' ? 'the token limit' : result.stop}</p>
      )}
      <GlobalWords words={result.queryWords} label="Query's global words" testId="ask-query-words" />
      <p className="hint">
        Tokenizer {result.tokenizer} · LM {result.lm} · {result.promptTokens} prompt tokens ·{' '}
        {result.seconds.toFixed(1)} s
      </p>
      <details>
        <summary>Prompt</summary>
        <pre className="ask-prompt" data-testid="ask-prompt">
          {result.prompt}
        </pre>
      </details>
    </section>
  );
}

/** Picks an image from the samples or from disk; it is opened in the engine, which keeps its pixels. */
function ImageChoice({
  image,
  samples,
  testId,
  addLabel,
  onPick,
  onError,
}: {
  image: OpenedImage | null;
  samples: readonly SampleInfo[];
  testId: string;
  addLabel?: string;
  onPick: (image: OpenedImage) => void;
  onError: (error: ReturnType<typeof errorPayloadOf>) => void;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [opening, setOpening] = useState(false);
  const open = async (action: () => Promise<OpenedImage>) => {
    setOpening(true);
    try {
      onPick(await action());
    } catch (error) {
      onError(errorPayloadOf(error));
    } finally {
      setOpening(false);
    }
  };
  return (
    <div className="ask-choice" data-testid={testId}>
      {image && (
        <>
          <img src={image.displayUrl} alt="" />
          <span className="ask-name" data-testid={`${testId}-name`}>
            {image.name}
          </span>
        </>
      )}
      <select
        value=""
        aria-label={addLabel ? `${addLabel} from the samples` : 'Query from the samples'}
        data-testid={`${testId}-sample`}
        disabled={opening}
        onChange={(e) => {
          const id = e.target.value;
          if (id) void open(() => studio.openSample({ id }));
        }}
      >
        <option value="">{addLabel ? `${addLabel}: sample…` : 'Sample…'}</option>
        {samples.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      <button type="button" disabled={opening} onClick={() => fileInput.current?.click()}>
        {addLabel ? `${addLabel} from disk…` : 'From disk…'}
      </button>
      <input
        ref={fileInput}
        type="file"
        accept={ACCEPTED_IMAGE_TYPES}
        hidden
        data-testid={`${testId}-file`}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file)
            void open(async () => studio.openUpload({ name: file.name, base64: await fileToBase64(file) }));
        }}
      />
    </div>
  );
}
