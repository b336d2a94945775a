/**
 * The preload exposes exactly the contract's named functions on window.v2l, plus an event subscription. No
 * generic send/invoke escapes to the page, and nothing from Node is reachable from it.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_PREFIX,
  METHOD_NAMES,
  type Envelope,
  type StudioEvent,
} from '../src-shared/contract/api';

const api: Record<string, unknown> = {};
for (const method of METHOD_NAMES) {
  api[method] = async (input?: unknown) => {
    const envelope = (await ipcRenderer.invoke(`${IPC_INVOKE_PREFIX}${method}`, input)) as Envelope<unknown>;
    if (envelope.ok) return envelope.value;
    // Errors travel as data; re-create one the renderer can read by name and code.
    throw Object.assign(new Error(envelope.error.message), {
      name: 'StudioError',
      code: envelope.error.code,
    });
  };
}
api['onEvent'] = (listener: (event: StudioEvent) => void) => {
  const handler = (_event: IpcRendererEvent, payload: StudioEvent) => listener(payload);
  ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
  return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
};

// A picked or dropped GGUF is imported by reference: only its path crosses, never gigabytes of bytes.
api['lmFilePath'] = (file: File) => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('v2l', Object.freeze(api));
