import type { WebContents } from 'electron';

/**
 * True when an IPC message comes from our own renderer document: the packaged file, or the electron-vite dev
 * server in development. Anything else (an injected frame, a navigated page) is refused.
 */
export function isTrustedSender(
  sender: WebContents,
  frameUrl: string | undefined,
  devServerUrl: string | undefined,
) {
  if (sender.isDestroyed() || !frameUrl) return false;
  // A frame address that does not parse is not ours: refused, never thrown out of the IPC handler.
  const url = URL.parse(frameUrl);
  if (url === null) return false;
  if (devServerUrl) return url.origin === URL.parse(devServerUrl)?.origin;
  return url.protocol === 'file:' && url.pathname.endsWith('/renderer/index.html');
}

/**
 * The renderer's settings: isolated, sandboxed, no Node in the page or its workers, web security on, no webview.
 * The renderer reaches the engine only through the preload's typed bridge.
 */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false,
  } as const;
}

/** Refuses navigation away from the studio and every new window; external links are not the studio's business. */
export function lockDownNavigation(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
