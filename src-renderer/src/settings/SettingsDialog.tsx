import { useState } from 'react';
import {
  MAX_SEQUENCES,
  type ExecutionProviderSetting,
  type Settings,
  type Theme,
} from '../../../src-shared/contract/api';
import type { Protocol } from '../../../src-shared/contract/restore';
import { Dialog } from '../components/Dialog';
import { PROTOCOL_IDS, PROTOCOLS } from '../../../src-shared/tasks/registry';
import { LanguageModels } from './LanguageModels';
import { RemoteServer } from './RemoteServer';
import { useTokenizerPacks } from './useTokenizerPacks';

interface SettingsDialogProps {
  readonly settings: Settings;
  readonly onSave: (patch: Partial<Settings>) => Promise<void>;
  readonly onClose: () => void;
}

const PROVIDERS: readonly { value: ExecutionProviderSetting; label: string }[] = [
  { value: 'auto', label: 'Automatic (GPU when available, else CPU)' },
  { value: 'cpu', label: 'CPU' },
  { value: 'cuda', label: 'CUDA (NVIDIA)' },
  { value: 'dml', label: 'DirectML (Windows)' },
  { value: 'coreml', label: 'Core ML (macOS)' },
  { value: 'webgpu', label: 'WebGPU' },
];

/**
 * Models, threads, default protocol and theme, saved in the store through updateSettings. The language model is
 * chosen in its own section, which applies a choice at once; Save leaves that choice alone.
 */
export function SettingsDialog({ settings, onSave, onClose }: SettingsDialogProps) {
  const [draft, setDraft] = useState<Settings>(settings);
  const [saving, setSaving] = useState(false);
  const packs = useTokenizerPacks();
  const defaultPack = settings.tokenizerPack === '' ? packs.find((p) => p.inUse) : undefined;
  return (
    <Dialog title="Settings" onClose={onClose} testId="settings-dialog">
      <LanguageModels />
      <RemoteServer />
      <form
        className="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSaving(true);
          const patch = Object.fromEntries(
            // The model choices apply at once in their own sections; Save must not write back a stale copy.
            Object.entries(draft).filter(([key]) => !['lmFile', 'lmServerUrl', 'lmServerKey'].includes(key)),
          ) as Partial<Settings>;
          void onSave(patch).finally(() => setSaving(false));
        }}
      >
        <label>
          CPU threads for the models
          <input
            type="number"
            min={0}
            max={256}
            value={draft.threads}
            data-testid="settings-threads"
            onChange={(e) =>
              setDraft({
                ...draft,
                threads: Math.max(0, Math.min(256, Math.round(Number(e.target.value) || 0))),
              })
            }
          />
          <span className="hint">
            0 lets the engine choose from the hardware: a small language model runs each prompt evaluated at
            once on a thread of its own, up to the cores; a bigger one gets the cores together. A number puts
            all prompts on that many threads. Applies when the models next load.
          </span>
        </label>
        <label>
          Prompts evaluated at once
          <input
            type="number"
            min={0}
            max={MAX_SEQUENCES}
            value={draft.sequences}
            data-testid="settings-sequences"
            onChange={(e) =>
              setDraft({
                ...draft,
                sequences: Math.max(0, Math.min(MAX_SEQUENCES, Math.round(Number(e.target.value) || 0))),
              })
            }
          />
          <span className="hint">
            The language model's parallel sequences: 0 lets the engine choose (2, whose words equal the
            authors' loop's). Other values change the speed and can change some words. Applies when the model
            next loads.
          </span>
        </label>
        <label>
          Tokenizer pack
          <select
            value={draft.tokenizerPack}
            data-testid="settings-pack"
            onChange={(e) => setDraft({ ...draft, tokenizerPack: e.target.value })}
          >
            <option value="">Default{defaultPack ? ` (${defaultPack.name})` : ''}</option>
            {packs.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.global ? ' — with global words' : ''}
              </option>
            ))}
          </select>
          <span className="hint">The words an image becomes. Applies when the models next load.</span>
        </label>
        <label>
          Tokenizer execution provider
          <select
            value={draft.executionProvider}
            data-testid="settings-provider"
            onChange={(e) =>
              setDraft({ ...draft, executionProvider: e.target.value as ExecutionProviderSetting })
            }
          >
            {PROVIDERS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Default protocol
          <select
            value={draft.defaultProtocol}
            data-testid="settings-protocol"
            onChange={(e) => setDraft({ ...draft, defaultProtocol: e.target.value as Protocol })}
          >
            {PROTOCOL_IDS.map((p) => (
              <option key={p} value={p}>
                {PROTOCOLS[p].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Theme
          <select
            value={draft.theme}
            data-testid="settings-theme"
            onChange={(e) => setDraft({ ...draft, theme: e.target.value as Theme })}
          >
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={saving} data-testid="settings-save">
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </Dialog>
  );
}
