import { EventEmitter } from 'node:events';
import type { WebContents } from 'electron';
import {
  isTrustedSender,
  lockDownNavigation,
  secureWebPreferences,
} from '../../../src-main/electron/security';
import type { CaseGroup, HostileCase } from '../case';
import { expect } from '../http';

/**
 * The Electron shell's security module. Electron's binary cannot run here, so its functions get a WebContents
 * stand-in with the few members they use; the settings are checked as the window receives them.
 */
class Contents extends EventEmitter {
  destroyed = false;
  openHandler: (() => { action: string }) | null = null;
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: () => { action: string }) {
    this.openHandler = handler;
  }
}

const asContents = (c: Contents) => c as unknown as WebContents;
const RENDERER = 'file:///opt/V2L%20Studio/resources/app.asar/out/renderer/index.html';
const DEV = 'http://localhost:5173/';

const SENDERS: readonly [string, string | undefined, string | undefined, boolean][] = [
  ['the packaged renderer', RENDERER, undefined, true],
  ['another file', 'file:///etc/passwd', undefined, false],
  ['a web page', 'https://evil.example/renderer/index.html', undefined, false],
  ['a data: URL', 'data:text/html,<script>1</script>', undefined, false],
  ['no frame URL', undefined, undefined, false],
  ['a URL that does not parse', 'http://[', undefined, false],
  ['the dev server', `${DEV}index.html`, DEV, true],
  ['another port than the dev server', 'http://localhost:5174/index.html', DEV, false],
  ['the file renderer while on the dev server', RENDERER, DEV, false],
];

/** The renderer is isolated and sandboxed, with no Node and no way to load insecure or foreign content. */
const REQUIRED_SETTINGS: Readonly<Record<string, boolean>> = {
  contextIsolation: true,
  sandbox: true,
  webSecurity: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
};

export const electronGroup: CaseGroup = {
  name: 'Electron security module',
  cases: (): HostileCase[] => [
    ...SENDERS.map(([label, frameUrl, dev, trusted]): HostileCase => ({
      name: `IPC from ${label} is ${trusted ? 'trusted' : 'refused'}`,
      run: () => {
        expect(isTrustedSender(asContents(new Contents()), frameUrl, dev) === trusted, 'wrong verdict');
        return Promise.resolve();
      },
    })),
    {
      name: 'IPC from a destroyed sender is refused',
      run: () => {
        const contents = new Contents();
        contents.destroyed = true;
        expect(!isTrustedSender(asContents(contents), RENDERER, undefined), 'trusted');
        return Promise.resolve();
      },
    },
    ...['will-navigate', 'will-redirect', 'will-attach-webview'].map((event): HostileCase => ({
      name: `${event} is prevented`,
      run: () => {
        const contents = new Contents();
        lockDownNavigation(asContents(contents));
        let prevented = false;
        contents.emit(event, { preventDefault: () => (prevented = true) }, 'https://evil.example/');
        expect(prevented, `${event} went through`);
        return Promise.resolve();
      },
    })),
    {
      name: 'new windows are denied',
      run: () => {
        const contents = new Contents();
        lockDownNavigation(asContents(contents));
        expect(contents.openHandler?.().action === 'deny', 'a window may open');
        return Promise.resolve();
      },
    },
    ...Object.entries(REQUIRED_SETTINGS).map(([key, wanted]): HostileCase => ({
      name: `the window setting ${key} is ${String(wanted)}`,
      run: () => {
        const prefs: Record<string, unknown> = secureWebPreferences('/app/preload/index.cjs');
        expect(prefs[key] === wanted, `${key} is ${String(prefs[key])}`);
        return Promise.resolve();
      },
    })),
  ],
};
