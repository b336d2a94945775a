import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Packages that must never reach the renderer: native engines and Electron's main-process modules.
const MAIN_ONLY = ['electron', 'onnxruntime-node', 'node-llama-cpp', 'better-sqlite3', 'sharp', 'ws'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-output/**', 'training/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Arrow shorthands that return void (`() => set(x)`) are idiomatic in handlers and React.
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: MAIN_ONLY.map((name) => ({
            name,
            message: 'Main-process module: reach it through the typed API.',
          })),
          patterns: [
            {
              group: ['**/src-main/**', 'node:*'],
              message: 'The renderer may not import main-process code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Electron may only be imported by the shell, never by the engine, server or CLI.
    files: ['src-main/engine/**', 'src-main/server/**', 'src-main/cli/**', 'src-main/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The engine runs in plain Node: no Electron here.' }] },
      ],
    },
  },
  {
    // The contract and the task registry are imported by every layer, the renderer included: pure code only.
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: MAIN_ONLY.map((name) => ({
            name,
            message: 'src-shared is pure: no native or Electron modules.',
          })),
          patterns: [
            {
              group: ['**/src-main/**', '**/src-renderer/**', '**/src-preload/**', 'node:*'],
              message: 'src-shared imports nothing from the layers that import it, nor Node.',
            },
          ],
        },
      ],
    },
  },
  {
    // Raw IPC stays inside the two wrappers that implement the contract.
    files: ['src-main/**'],
    ignores: ['src-main/electron/ipc.ts', 'src-main/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='ipcMain']", message: 'Use src-main/electron/ipc.ts.' },
      ],
    },
  },
);
