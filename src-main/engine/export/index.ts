export { exportRun, type ExportDeps, type ExportTarget } from './export-run';
export { modelInfo } from './model-info';
