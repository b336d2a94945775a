import {
  INPUT_VALIDATORS,
  isMethodName,
  type Envelope,
  type MethodName,
  type StudioApi,
} from '../../src-shared/contract/api';
import { ContractViolation } from '../../src-shared/contract/validate';
import { toErrorPayload } from '../engine/errors';

/**
 * The single entry point both transports use: checks the method name and validates the argument against the
 * contract before the engine sees it, and turns every outcome into an envelope.
 */
export async function dispatch(api: StudioApi, method: unknown, input: unknown): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `Unknown method: ${String(method)}` } };
  }
  try {
    const validated = validateInput(method, input);
    const methods = api as unknown as Record<MethodName, (arg: unknown) => Promise<unknown>>;
    return { ok: true, value: await methods[method](validated) };
  } catch (error) {
    if (error instanceof ContractViolation) {
      return {
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: `Invalid request to ${method}: ${error.message}` },
      };
    }
    return { ok: false, error: toErrorPayload(error) };
  }
}

function validateInput(method: MethodName, input: unknown): unknown {
  return INPUT_VALIDATORS[method](input, 'input');
}
