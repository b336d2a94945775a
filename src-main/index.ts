/**
 * Electron main process: creates the window with the secure defaults, wires the typed IPC contract to the
 * engine, and nothing else. All studio logic lives in ./engine, which never imports Electron.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, session } from 'electron';
import { shellApi } from './api/shell-api';
import { Engine } from './engine/engine';
import { forwardEvents, registerIpc } from './electron/ipc';
import { openDialogOptions, openPicked } from './electron/open-dialog';
import { saveDialogExporter } from './electron/save-dialog';
import { lockDownNavigation, secureWebPreferences } from './electron/security';

const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

function resourcesDir(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'resources')
    : path.join(app.getAppPath(), 'resources');
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'V2L Studio',
    webPreferences: secureWebPreferences(path.join(import.meta.dirname, '../preload/index.cjs')),
  });
  lockDownNavigation(window.webContents);
  window.once('ready-to-show', () => window.show());
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(path.join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

app.on('web-contents-created', (_event, contents) => lockDownNavigation(contents));

void app.whenReady().then(() => {
  // The studio needs no camera, microphone, notifications or other permissions.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  const engine = new Engine({
    dataDir: app.getPath('userData'),
    resourcesDir: resourcesDir(),
    version: app.getVersion(),
    transport: 'electron',
  });
  let window = createWindow();
  const api = shellApi(engine, {
    openWithDialog: async () => {
      const choice = await dialog.showOpenDialog(window, openDialogOptions());
      return openPicked(choice.canceled ? [] : choice.filePaths, (file) => engine.openPath(file));
    },
    exportWithDialog: saveDialogExporter(engine, () => window),
  });
  registerIpc(api, devServerUrl);
  let forward = forwardEvents(window);
  engine.events.on('event', (event) => forward(event));

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      window = createWindow();
      forward = forwardEvents(window);
    }
  });
  app.on('will-quit', () => void engine.dispose());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
