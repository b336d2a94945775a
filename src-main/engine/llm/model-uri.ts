import { StudioError } from '../errors';
import { checkDownloadTarget, type DownloadPolicy } from './download-policy';

export interface ModelUri {
  /** As the user wrote it (trimmed): what node-llama-cpp's downloader is given and partial downloads are keyed by. */
  readonly uri: string;
  /** The host a download talks to, for messages. */
  readonly host: string;
  /**
   * The file's address when it is known without asking a server (http(s) links, hf:user/repo/file.gguf), so it can
   * be probed before the download starts. hf:user/repo:quant needs the Hugging Face API to pick the file.
   */
  readonly fileUrl: string | null;
}

const HF_HOST = 'huggingface.co';
const FORMS = 'hf:user/repo/file.gguf, hf:user/repo:Q4_K_M, or an https:// link to a .gguf file';

/**
 * Checks a model URI before anything touches the network: the downloader would treat anything else as a local
 * path, and an address that does not name a .gguf file would download whatever page it serves.
 */
export function parseModelUri(input: string): ModelUri {
  const uri = input.trim();
  const hf = /^(?:hf:\/\/|hf:|huggingface:)(.*)$/i.exec(uri);
  if (hf) {
    const rest = hf[1] ?? '';
    const [spec = '', branch = 'main'] = rest.split('#');
    const parts = spec.split('/');
    const [user = '', repo = '', ...file] = parts;
    const named = /^[\w.-]+$/;
    if (!named.test(user) || !named.test(repo.replace(/:[\w.-]+$/, ''))) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `${uri} does not name a Hugging Face repository: use ${FORMS}.`,
      );
    }
    if (file.length === 0) return { uri, host: HF_HOST, fileUrl: null };
    const filePath = file.join('/');
    if (!/\.gguf$/i.test(filePath)) {
      throw new StudioError('INVALID_ARGUMENT', `${uri} does not name a .gguf file: use ${FORMS}.`);
    }
    const encoded = filePath.split('/').map(encodeURIComponent).join('/');
    return {
      uri,
      host: HF_HOST,
      fileUrl: `https://${HF_HOST}/${user}/${repo}/resolve/${encodeURIComponent(branch)}/${encoded}`,
    };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${uri || 'An empty address'} is not a model URI: use ${FORMS}.`,
    );
  }
  if (url.username || url.password) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${url.host} carries a user name or password in the address: remove it.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new StudioError('INVALID_ARGUMENT', `${uri} uses ${url.protocol}, not http(s): use ${FORMS}.`);
  }
  if (!/\.gguf$/i.test(safeDecode(url.pathname))) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${uri} does not point at a .gguf file (the path must end in .gguf): use ${FORMS}.`,
    );
  }
  // A Hugging Face page link (blob) serves HTML; the same path under resolve serves the file.
  if (url.hostname === HF_HOST)
    url.pathname = url.pathname.replace(/^(\/[^/]+\/[^/]+)\/blob\//, '$1/resolve/');
  return { uri, host: url.host, fileUrl: url.href };
}

const PROBE_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;

/** Where a model file really is, found by the probe, and what its host says about it. */
export interface ResolvedModelUrl {
  /** The address after redirects, each of which passed the download policy: the downloader goes straight there. */
  readonly url: string;
  /** The file's size as the host announced it (Content-Range total or Content-Length), null when it did not. */
  readonly totalBytes: number | null;
  /** The SHA-256 the host publishes for the file (Hugging Face's X-Linked-Etag for large files), lowercase hex. */
  readonly sha256: string | null;
}

/**
 * Asks for the first bytes of the file before the downloader starts. The downloader retries a host it cannot reach
 * for minutes and accepts an error page as a file of unknown size; this fails at once, saying why, and refuses an
 * address that serves something other than a GGUF. Redirects are followed here, one at a time, each target checked
 * against the download policy (https, public addresses), and the answer's bytes are never quoted back.
 */
export async function resolveModelUrl(
  target: ModelUri,
  signal: AbortSignal,
  policy: DownloadPolicy,
): Promise<ResolvedModelUrl | null> {
  if (target.fileUrl === null) return null;
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  let url = new URL(target.fileUrl);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    await checkDownloadTarget(url, policy);
    const response = await request(url, target, AbortSignal.any([signal, timeout]), signal, timeout);
    try {
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        try {
          url = new URL(location, url);
        } catch {
          throw new StudioError(
            'NOT_FOUND',
            `${url.host} redirected ${target.uri} to an address that is not a URL.`,
          );
        }
        continue;
      }
      return await checkAnswer(response, target, url);
    } finally {
      if (response.body && !response.body.locked) await response.body.cancel().catch(() => undefined);
    }
  }
  throw new StudioError(
    'NOT_FOUND',
    `${target.uri} redirected more than ${MAX_REDIRECTS} times: check the address.`,
  );
}

async function request(
  url: URL,
  target: ModelUri,
  signals: AbortSignal,
  cancel: AbortSignal,
  timeout: AbortSignal,
): Promise<Response> {
  const token = process.env['HF_TOKEN'];
  const headers: Record<string, string> = { range: 'bytes=0-3' };
  // The token goes to Hugging Face only, never to where it redirects.
  if (token && url.hostname === HF_HOST) headers['authorization'] = `Bearer ${token}`;
  try {
    return await fetch(url, { headers, signal: signals, redirect: 'manual' });
  } catch (error) {
    if (cancel.aborted) throw new StudioError('JOB_CANCELLED', 'The download was cancelled.');
    if (timeout.aborted) {
      throw new StudioError(
        'UNREACHABLE',
        `${url.host} did not answer within ${PROBE_TIMEOUT_MS / 1000} s: check that this computer is online and try again.`,
      );
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new StudioError(
      'UNREACHABLE',
      `Cannot reach ${url.host} (${cause?.code ?? 'connection failed'}): check the address and that this computer ` +
        `is online (${target.uri}).`,
      { cause: error },
    );
  }
}

async function checkAnswer(response: Response, target: ModelUri, url: URL): Promise<ResolvedModelUrl> {
  if (response.status === 401 || response.status === 403) {
    throw new StudioError(
      'REFUSED',
      `${url.host} refused access to ${target.uri} (HTTP ${response.status}). A gated model needs its licence ` +
        'accepted on Hugging Face and a token in the HF_TOKEN environment variable.',
    );
  }
  if (response.status === 404 || response.status === 410) {
    throw new StudioError(
      'NOT_FOUND',
      `There is no file at ${target.uri} (HTTP ${response.status}): check the repository and file name.`,
    );
  }
  if (!response.ok) {
    throw new StudioError(
      'NOT_FOUND',
      `${url.host} answered HTTP ${response.status} for ${target.uri}: try again later.`,
    );
  }
  const head = await firstBytes(response, 4);
  if (head.toString('latin1') !== 'GGUF') {
    throw new StudioError(
      'MODEL_INVALID',
      `${target.uri} does not serve a GGUF file. Link the .gguf file itself (on Hugging Face, the download link, ` +
        'or hf:user/repo/file.gguf).',
    );
  }
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  const length = response.status === 200 ? Number(response.headers.get('content-length') ?? NaN) : NaN;
  const total = range?.[1] ? Number(range[1]) : length;
  const etag = /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(response.headers.get('x-linked-etag') ?? '');
  return {
    url: url.href,
    totalBytes: Number.isSafeInteger(total) && total > 0 ? total : null,
    sha256: etag?.[1]?.toLowerCase() ?? null,
  };
}

async function firstBytes(response: Response, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  if (!response.body) return Buffer.alloc(0);
  // Stops reading once the header is in: a server that ignores the range would otherwise send the whole model.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
    length += chunk.length;
    if (length >= count) break;
  }
  return Buffer.concat(chunks).subarray(0, count);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
