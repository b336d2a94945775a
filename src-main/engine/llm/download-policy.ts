/**
 * Where the model downloader may connect. By default only https to public addresses: a model URI comes from
 * whoever the user copied it from, and without this rule a link (or a redirect from it) could make the studio
 * talk to this machine's or the local network's services (SSRF). A local mirror is allowed by listing its origin
 * in V2L_MODEL_MIRRORS (comma-separated, e.g. "http://192.168.1.20:8080"; without a port, any port of that host).
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { StudioError } from '../errors';

export const MIRRORS_ENV = 'V2L_MODEL_MIRRORS';

export interface DownloadPolicy {
  /** True for an origin the user listed as a mirror: it may use plain http and a private address. */
  isMirror(url: URL): boolean;
}

export function downloadPolicy(env: NodeJS.ProcessEnv = process.env): DownloadPolicy {
  const mirrors: { protocol: string; hostname: string; port: string | null }[] = [];
  for (const entry of (env[MIRRORS_ENV] ?? '').split(',')) {
    const text = entry.trim();
    if (!text) continue;
    try {
      const url = new URL(text);
      const explicitPort = /^[a-z]+:\/\/(\[[^\]]*\]|[^/:]*):\d+/i.test(text);
      mirrors.push({
        protocol: url.protocol,
        hostname: url.hostname,
        port: explicitPort ? url.port || defaultPort(url) : null,
      });
    } catch {
      // An entry that is not a URL allows nothing.
    }
  }
  return {
    isMirror: (url) =>
      mirrors.some(
        (m) =>
          m.protocol === url.protocol &&
          m.hostname === url.hostname &&
          (m.port === null || m.port === (url.port || defaultPort(url))),
      ),
  };
}

function defaultPort(url: URL): string {
  return url.protocol === 'https:' ? '443' : '80';
}

type Lookup = (hostname: string) => Promise<readonly { address: string }[]>;
const systemLookup: Lookup = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Refuses a URL the downloader must not connect to: anything but https, and any host that is or resolves to a
 * loopback, private, link-local or otherwise non-public address, unless it is a listed mirror. Checked for the
 * first address and again for every redirect.
 */
export async function checkDownloadTarget(
  url: URL,
  policy: DownloadPolicy,
  lookup: Lookup = systemLookup,
): Promise<void> {
  if (policy.isMirror(url)) return;
  const fix = `list it in ${MIRRORS_ENV} if it is your own mirror`;
  if (url.protocol !== 'https:') {
    throw new StudioError(
      'REFUSED',
      `Models are downloaded over https only, not ${url.protocol} (${url.host}): ${fix}.`,
    );
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(hostname) !== 0) addresses = [hostname];
  else {
    try {
      addresses = (await lookup(hostname)).map((a) => a.address);
    } catch (error) {
      throw new StudioError(
        'UNREACHABLE',
        `Cannot find ${url.host} (${(error as { code?: string }).code ?? 'DNS lookup failed'}): check the address and that this computer is online.`,
      );
    }
  }
  const local = addresses.find((address) => !isPublicAddress(address));
  if (local !== undefined || addresses.length === 0) {
    throw new StudioError(
      'REFUSED',
      `${url.host} is a local or private address (${local ?? 'none'}): models are downloaded from public hosts only; ${fix}.`,
    );
  }
}

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv6');

/** Whether an IP address is on the public internet (IPv4 inside IPv6 forms is judged as the IPv4 address). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !BLOCKED.check(address, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(address);
  if (embedded !== null) return isPublicAddress(embedded);
  return !BLOCKED.check(address, 'ipv6');
}

/** The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::/96 (NAT64) and 2002::/16 (6to4), else null. */
function embeddedIpv4(address: string): string | null {
  const groups = expandIpv6(address);
  if (groups === null) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zero(0, 5) && (groups[5] === 0xffff || groups[5] === 0) && !zero(6, 8))
    return v4(groups[6] ?? 0, groups[7] ?? 0);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6)) return v4(groups[6] ?? 0, groups[7] ?? 0);
  if (groups[0] === 0x2002) return v4(groups[1] ?? 0, groups[2] ?? 0);
  return null;
}

function expandIpv6(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const parts = dotted[1].split('.').map(Number);
    const hex = (a = 0, b = 0) => ((a << 8) | b).toString(16);
    text = text.slice(0, -dotted[1].length) + `${hex(parts[0], parts[1])}:${hex(parts[2], parts[3])}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) =>
    parseInt(g, 16),
  );
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}
