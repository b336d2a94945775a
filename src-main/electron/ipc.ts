import { ipcMain, type BrowserWindow } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_PREFIX,
  METHOD_NAMES,
  type StudioApi,
  type StudioEvent,
} from '../../src-shared/contract/api';
import { dispatch } from '../api/dispatch';
import { isTrustedSender } from './security';

/**
 * Thin handlers: one ipcMain.handle per contract method, each checking the sender and handing the raw argument
 * to the shared dispatcher, which validates it against the contract.
 */
export function registerIpc(api: StudioApi, devServerUrl: string | undefined): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(`${IPC_INVOKE_PREFIX}${method}`, async (event, input: unknown) => {
      if (!isTrustedSender(event.sender, event.senderFrame?.url, devServerUrl)) {
        return {
          ok: false,
          error: { code: 'UNAUTHORIZED', message: 'Message from an untrusted frame refused.' },
        };
      }
      return dispatch(api, method, input);
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(`${IPC_INVOKE_PREFIX}${method}`);
  };
}

export function forwardEvents(window: BrowserWindow): (event: StudioEvent) => void {
  return (event) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
  };
}
