import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { runPidDir } from './pid-dir';

export const OUTPUT_DIR = path.resolve('test-output', 'e2e');

export interface StudioServer {
  readonly url: string;
  readonly launchUrl: string;
  readonly token: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * Every server this worker started and has not yet stopped, as process-group ids. The exit hook kills what a failed
 * suite left behind, and the folder below lets the global teardown (leftovers.ts) prove that nothing survived.
 */
const liveGroups = new Set<number>();
const PID_DIR = runPidDir();
process.once('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function forget(pid: number): void {
  liveGroups.delete(pid);
  fs.rmSync(path.join(PID_DIR, String(pid)), { force: true });
}

/** Ends the server's whole process group: SIGTERM for a clean shutdown, SIGKILL if it is not gone in 10 s. */
async function endGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  // Anything the server itself spawned shares its group.
  killGroup(pid, 'SIGKILL');
  forget(pid);
}

/**
 * Starts the real `serve` entry point (the same one `npm run serve` runs) with a fresh data folder and waits for
 * it to print its launch address. Node runs the TypeScript itself (`--import tsx`), in a process group of its own,
 * so stopping it cannot miss a wrapper's child (npx and the tsx CLI each add one).
 */
export async function startStudioServer(): Promise<StudioServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src-main/server/main.ts'], {
    env: { ...process.env, V2L_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid !== undefined) {
    liveGroups.add(child.pid);
    fs.mkdirSync(PID_DIR, { recursive: true });
    fs.writeFileSync(path.join(PID_DIR, String(child.pid)), '');
  }
  const stop = async () => {
    await endGroup(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let output = '';
  let launchUrl: string;
  try {
    launchUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const parsed = new URL(launchUrl);
  return {
    url: `${parsed.origin}/`,
    launchUrl,
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    stop,
  };
}

type Closable = { close(): Promise<unknown> } | { stop(): Promise<unknown> };

/**
 * Closes browsers and stops servers in order, each even when an earlier one throws or was never started (a browser
 * that failed to launch must not keep the server alive), then reports the first failure.
 */
export async function closeAll(...items: (Closable | undefined)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      if (item === undefined) continue;
      await ('stop' in item ? item.stop() : item.close());
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/** One call of the studio's API over HTTP, as the browser client makes it; resolves to the envelope. */
export async function callApi(server: StudioServer, method: string, input: unknown): Promise<unknown> {
  const response = await fetch(`${server.url}api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-v2l-token': server.token },
    body: JSON.stringify(input),
  });
  return response.json();
}

/** Debian's Chromium, headless, with the flags this offline machine needs (see docs/ENVIRONMENT facts). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Waits for the page's run to end: returns once its results show, throws the job's own error if it fails, so a
 * failed run reads as its cause rather than as a timeout.
 */
export async function waitForRunResults(page: Page, timeout = 90_000): Promise<void> {
  const done = page.locator('[data-testid="results"][data-status="done"]').waitFor({ timeout });
  const failed = page
    .getByTestId('job-error')
    .waitFor({ timeout })
    .then(async () => {
      throw new Error(`the run failed: ${await page.getByTestId('job-error').textContent()}`);
    });
  await Promise.race([done, failed]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Fraction of pixels that are not the blank background on the most inked of the stage's canvases (one per Konva
 * layer; the photo layer is the fullest): proves something was drawn.
 */
export async function stageInkFraction(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="photo-stage"] canvas')];
    let best = 0;
    for (const canvas of canvases) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0) continue;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) inked += 1;
      best = Math.max(best, inked / (data.length / 4));
    }
    return best;
  });
}

/** A studio server on a fresh data folder and a headless Chromium to open pages on it. */
export interface Studio {
  readonly server: StudioServer;
  readonly browser: Browser;
}

/**
 * The studio of a describe block, with no page open: registers a beforeAll that runs `prepare` and then starts the
 * server and the browser, and an afterAll that ends both (closeAll), also when a test or the start failed part-way.
 * Returns a getter for the running studio, which throws when it is not running.
 */
export function studioSuite(options: { prepare?: () => void } = {}): () => Studio {
  let server: StudioServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    options.prepare?.();
    server = await startStudioServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    const started = [browser, server] as const;
    browser = undefined;
    server = undefined;
    await closeAll(...started);
  });
  return () => {
    if (!server || !browser) throw new Error('the studio is not running');
    return { server, browser };
  };
}

/** A studio on a fresh data folder, in headless Chromium, with a bundled sample open in the editor. */
export interface StudioOnSample {
  readonly server: StudioServer;
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

export async function openStudioOnSample(
  sample: string,
  viewport = { width: 1500, height: 950 },
): Promise<StudioOnSample> {
  const server = await startStudioServer();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport });
    await page.goto(server.launchUrl);
    await page.getByTestId(`sample-${sample}`).click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    const opened = browser;
    return {
      server,
      browser,
      page,
      close: () => closeAll(opened, server),
    };
  } catch (error) {
    await closeAll(browser, server);
    throw error;
  }
}

/**
 * The studio of a describe block: registers a beforeAll that runs `prepare` (e.g. requireModels, so that missing
 * models fail the suite before anything starts) and then opens `sample` in a studio on a fresh data folder, and an
 * afterAll that ends every process it started (closeAll: the browser, then the server), also when a test failed.
 * A start that fails part-way ends what it had started itself (openStudioOnSample). Returns a getter for the
 * running studio, which throws when it is not running.
 */
export function studioOnSampleSuite(
  sample: string,
  options: { prepare?: () => void; viewport?: { width: number; height: number } } = {},
): () => StudioOnSample {
  let studio: StudioOnSample | undefined;
  beforeAll(async () => {
    options.prepare?.();
    studio = await openStudioOnSample(sample, options.viewport);
  });
  afterAll(async () => {
    const started = studio;
    studio = undefined;
    await closeAll(started);
  });
  return () => {
    if (!studio) throw new Error('the studio is not running');
    return studio;
  };
}
