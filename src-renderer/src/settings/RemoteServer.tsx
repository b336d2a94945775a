import { useEffect, useState } from 'react';
import type { LmServerStatus } from '../../../src-shared/contract/models';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';

/**
 * Settings' "Run on a llama-server" section: restorations can use a model served by llama.cpp's own llama-server
 * (on a bigger machine, or spread over several with llama.cpp's RPC backend). Connecting checks the server before
 * it is saved; disconnecting runs the model here again. Applies at once, like the model choice above it.
 */
export function RemoteServer() {
  const [url, setUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [status, setStatus] = useState<LmServerStatus>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void studio.getSettings().then((settings) => {
      if (!live) return;
      setUrl(settings.lmServerUrl);
      setApiKey(settings.lmServerKey);
      if (settings.lmServerUrl) setStatus({ url: settings.lmServerUrl, model: '', slots: 0 });
    });
    return () => {
      live = false;
    };
  }, []);

  const connect = async (address: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const answer = await studio.connectLmServer({ url: address, apiKey: address ? apiKey : '' });
      setStatus(answer);
      if (!answer) setUrl('');
      setMessage({
        tone: 'ok',
        text: answer
          ? `Restorations now run on ${answer.model} at ${answer.url} (${answer.slots} prompt${answer.slots === 1 ? '' : 's'} at once).`
          : 'Restorations run on this machine again.',
      });
    } catch (error) {
      setMessage({ tone: 'error', text: errorPayloadOf(error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="lm-section" aria-labelledby="lm-server-heading" data-testid="lm-server">
      <h3 id="lm-server-heading">Run on a llama-server</h3>
      <p className="hint">
        For a model bigger than this machine: start llama.cpp&apos;s{' '}
        <code>llama-server -m MODEL.gguf --host 0.0.0.0 --port 8080</code> where it fits (or spread it over
        several machines with llama.cpp&apos;s RPC backend) and connect to it here. Its vocabulary must be
        LLaMA-2&apos;s; Ask still needs a model here.
      </p>
      <form
        className="lm-server-form"
        onSubmit={(event) => {
          event.preventDefault();
          void connect(url);
        }}
      >
        <label>
          Server address
          <input
            type="url"
            placeholder="http://192.168.1.20:8080"
            value={url}
            data-testid="lm-server-url"
            onChange={(event) => setUrl(event.target.value)}
          />
        </label>
        <label>
          API key (if the server has one)
          <input
            type="password"
            autoComplete="off"
            value={apiKey}
            data-testid="lm-server-key"
            onChange={(event) => setApiKey(event.target.value)}
          />
        </label>
        <div className="lm-buttons">
          <button type="submit" disabled={busy || url.trim() === ''} data-testid="lm-server-connect">
            {busy ? 'Checking…' : 'Connect'}
          </button>
          {status && (
            <button
              type="button"
              disabled={busy}
              data-testid="lm-server-disconnect"
              onClick={() => void connect('')}
            >
              Run here instead
            </button>
          )}
        </div>
      </form>
      {message && (
        <p
          className={message.tone === 'error' ? 'error-text' : 'hint'}
          role={message.tone === 'error' ? 'alert' : 'status'}
          data-testid="lm-server-message"
        >
          {message.text}
        </p>
      )}
    </section>
  );
}
