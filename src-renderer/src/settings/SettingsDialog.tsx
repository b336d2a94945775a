import { useState } from 'react';
import type { Settings, Theme } from '../../../src-preload/contract/api';
import type { Protocol } from '../../../src-preload/contract/restore';
import { Dialog } from '../components/Dialog';
import { PROTOCOL_INFO } from '../run/request';

interface SettingsDialogProps {
  readonly settings: Settings;
  readonly onSave: (patch: Partial<Settings>) => Promise<void>;
  readonly onClose: () => void;
}

/** Threads, default protocol and theme, saved in the store through updateSettings. */
export function SettingsDialog({ settings, onSave, onClose }: SettingsDialogProps) {
  const [draft, setDraft] = useState<Settings>(settings);
  const [saving, setSaving] = useState(false);
  return (
    <Dialog title="Settings" onClose={onClose} testId="settings-dialog">
      <form
        className="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSaving(true);
          void onSave(draft).finally(() => setSaving(false));
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
            0 lets the engine choose from the hardware. Applies when the models next load.
          </span>
        </label>
        <label>
          Default protocol
          <select
            value={draft.defaultProtocol}
            data-testid="settings-protocol"
            onChange={(e) => setDraft({ ...draft, defaultProtocol: e.target.value as Protocol })}
          >
            <option value="reference">{PROTOCOL_INFO.reference.label}</option>
            <option value="blind">{PROTOCOL_INFO.blind.label}</option>
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
