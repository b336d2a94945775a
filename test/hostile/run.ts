/**
 * `npm run test:hostile`: attacks the studio's server mode with malformed, hostile and aborted requests, hostile
 * model files and downloads, over-budget restorations and concurrent jobs, against the real server process
 * (src-main/server/main.ts) on 127.0.0.1. After every case it checks that the same process still answers and has
 * logged no unhandled rejection. Prints one line per case and a final `N passed, N failed`; exits 1 on a failure.
 * A name filter may be given: `npm run test:hostile -- gguf`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaseGroup, HostileCase, HostileContext } from './case';
import { EventLog } from './events';
import { api } from './http';
import { killAll, startServer, type ServerProcess } from './server';
import { accessGroup } from './cases/access';
import { apiInputGroup } from './cases/api-inputs';
import { bodyGroup } from './cases/bodies';
import { complexityGroup } from './cases/complexity';
import { downloaderGroup } from './cases/downloader';
import { electronGroup } from './cases/electron';
import { eventLoopGroup } from './cases/event-loop';
import { ggufGroup } from './cases/gguf';
import { importPathGroup } from './cases/import-paths';
import { restoreGroup } from './cases/restores';
import { startupGroup } from './cases/startup';
import { urlGroup } from './cases/urls';
import { websocketGroup } from './cases/websocket';

const GROUPS: CaseGroup[] = [
  urlGroup,
  accessGroup,
  bodyGroup,
  websocketGroup,
  apiInputGroup,
  ggufGroup,
  importPathGroup,
  downloaderGroup,
  complexityGroup,
  eventLoopGroup,
  restoreGroup,
  startupGroup,
  electronGroup,
];

const DEFAULT_TIMEOUT_MS = 30_000;

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  const filter = process.argv[2] ?? '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-hostile-run-'));
  let passed = 0;
  let failed = 0;
  let ctx: { server: ServerProcess; events: EventLog; tmp: string } | null = null;
  const events = new EventLog();
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const group of GROUPS) Object.assign(env, await group.prepare?.(tmp));
    const startAttacked = async () => {
      const started = await startServer({ env });
      await events.connect(started);
      return started;
    };
    ctx = { server: await startAttacked(), events, tmp };
    for (const group of GROUPS) {
      let cases: HostileCase[];
      try {
        cases = await group.cases(ctx);
      } catch (error) {
        console.log(`FAIL ${group.name}: setting up the cases failed: ${describe(error)}`);
        failed++;
        continue;
      }
      for (const testCase of cases) {
        const name = `${group.name}: ${testCase.name}`;
        if (filter && !name.includes(filter)) continue;
        const problem = await runCase(testCase, ctx);
        const survival = await survives(ctx.server);
        if (problem === null && survival === null) {
          passed++;
          console.log(`ok   ${name}`);
        } else {
          failed++;
          console.log(`FAIL ${name}: ${[problem, survival].filter(Boolean).join('; ')}`);
        }
        if (survival !== null) {
          // The next cases need a server: start a fresh one, so one crash does not fail everything after it.
          await ctx.server.stop();
          events.close();
          ctx.server = await startAttacked();
        }
      }
      await group.teardown?.();
    }
  } catch (error) {
    failed++;
    console.log(`FAIL the run stopped: ${describe(error)}`);
  } finally {
    events.close();
    await ctx?.server.stop();
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function runCase(testCase: HostileCase, ctx: HostileContext): Promise<string | null> {
  const timeoutMs = testCase.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      testCase.run(ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return null;
  } catch (error) {
    return describe(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Null when the same server process is still running, answers an API call, and logged no unhandled failure. */
async function survives(server: ServerProcess): Promise<string | null> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    return `the server process ended (${server.child.exitCode ?? server.child.signalCode}): ${tail(server.output())}`;
  }
  try {
    const reply = await api(server, 'appInfo', undefined, 10_000);
    if (!reply.ok) return 'the server no longer answers appInfo';
  } catch (error) {
    return `the server no longer answers: ${describe(error)}`;
  }
  if (/Unhandled rejection|uncaught/i.test(server.output()))
    return `the server logged: ${tail(server.output())}`;
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

process.exitCode = await main();
