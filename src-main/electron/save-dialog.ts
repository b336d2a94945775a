import path from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import type { ExportRequest, ExportResult } from '../../src-shared/contract/export';
import type { Engine } from '../engine/engine';
import { exportWithSaveDialog } from './export-dialog';

/**
 * The main-process side of exportWithDialog: Electron's save and message boxes, attached to the studio's window,
 * shown for export-dialog.ts, which decides everything else. The next dialog opens where the last export went.
 */
export function saveDialogExporter(
  engine: Engine,
  window: () => BrowserWindow,
): (request: ExportRequest) => Promise<ExportResult | null> {
  let folder = app.getPath('pictures');
  return (request) =>
    exportWithSaveDialog(request, folder, {
      chooseFile: async (spec) => {
        const choice = await dialog.showSaveDialog(window(), {
          ...spec,
          filters: spec.filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })),
          properties: [...spec.properties],
        });
        if (choice.canceled || !choice.filePath) return null;
        folder = path.dirname(choice.filePath);
        return choice.filePath;
      },
      confirm: async (question) =>
        (await dialog.showMessageBox(window(), { ...question, buttons: [...question.buttons] })).response ===
        0,
      write: (exportRequest, target) => engine.exportRunTo(exportRequest, target),
    });
}
