export { exportRun, type ExportDeps } from './export-run';
export { modelInfo } from './model-info';
