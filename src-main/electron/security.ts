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
  const url = new URL(frameUrl);
  if (devServerUrl) return url.origin === new URL(devServerUrl).origin;
  return url.protocol === 'file:' && url.pathname.endsWith('/renderer/index.html');
}

/** Refuses navigation away from the studio and every new window; external links are not the studio's business. */
export function lockDownNavigation(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
