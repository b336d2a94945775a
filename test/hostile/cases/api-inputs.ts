import { INPUT_VALIDATORS } from '../../../src-shared/contract/api';
import type { CaseGroup, HostileCase } from '../case';
import { api, expect } from '../http';

/** Inputs of the wrong shape for every method: each must be refused (or ignored) with a clear code, never INTERNAL. */
const INPUTS: readonly [string, unknown][] = [
  ['null', null],
  ['a negative number', -1],
  ['an SQL-ish string', "1'; DROP TABLE runs; --"],
  [
    'a polluting object',
    JSON.parse('{"__proto__":{"polluted":1},"id":{"$gt":""},"imageId":1e308,"path":"/etc/shadow"}'),
  ],
];

export const apiInputGroup: CaseGroup = {
  name: 'API inputs',
  cases: () =>
    Object.keys(INPUT_VALIDATORS).flatMap((method) =>
      INPUTS.map(([label, input]): HostileCase => ({
        name: `${method} with ${label}`,
        run: async ({ server }) => {
          const reply = await api(server, method, input);
          expect(reply.ok || reply.error?.code !== 'INTERNAL', `internal error: ${reply.error?.message}`);
          expect(!JSON.stringify(reply).includes('root:'), 'the answer quotes a system file');
        },
      })),
    ),
};
