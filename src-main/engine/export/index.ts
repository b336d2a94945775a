export { exportRun, type ExportDeps, type ExportTarget } from './export-run';
export { exportForDownload } from './download';
export { modelInfo } from './model-info';
