import { METHOD_NAMES, type StudioApi } from '../../src-shared/contract/api';
import type { Engine, ShellMethod } from '../engine/engine';

/**
 * The full API a shell serves: the engine's methods, bound, plus the few a shell implements itself (the native
 * open and save dialogs). Building it from METHOD_NAMES makes a method missing from either side a type error.
 */
export function shellApi(engine: Engine, own: Pick<StudioApi, ShellMethod>): StudioApi {
  const api: Partial<Record<keyof StudioApi, unknown>> = {};
  for (const name of METHOD_NAMES) {
    api[name] =
      name in own
        ? own[name as keyof typeof own]
        : (engine[name as Exclude<keyof StudioApi, keyof typeof own>] as (...a: unknown[]) => unknown).bind(
            engine,
          );
  }
  return api as StudioApi;
}
