import { describe, expect, it } from 'vitest';
import {
  checkDownloadTarget,
  downloadPolicy,
  isPublicAddress,
} from '../../src-main/engine/llm/download-policy';

describe('download policy', () => {
  it('tells public addresses from loopback, private, link-local and reserved ones, IPv4 inside IPv6 included', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '2a00:1450:4001:80b::200e']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '2002:c0a8:0101::1',
      'not an address',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('allows https to a public host, refuses http and names that resolve to a private address', async () => {
    const policy = downloadPolicy({});
    const lookup = (name: string) =>
      Promise.resolve(name === 'public.example' ? [{ address: '93.184.216.34' }] : [{ address: '10.0.0.7' }]);
    await expect(checkDownloadTarget(new URL('https://public.example/m.gguf'), policy, lookup)).resolves.toBe(
      undefined,
    );
    await expect(
      checkDownloadTarget(new URL('http://public.example/m.gguf'), policy, lookup),
    ).rejects.toThrow(/https only/);
    await expect(
      checkDownloadTarget(new URL('https://rebound.example/m.gguf'), policy, lookup),
    ).rejects.toThrow(/local or private address \(10\.0\.0\.7\)/);
  });

  it('lets a listed mirror use http and a private address, on its port only when one is given', async () => {
    const policy = downloadPolicy({ V2L_MODEL_MIRRORS: 'http://192.168.1.20:8080, http://mirror.lan' });
    const never = () => Promise.reject(new Error('no lookup for a mirror'));
    await expect(
      checkDownloadTarget(new URL('http://192.168.1.20:8080/m.gguf'), policy, never),
    ).resolves.toBe(undefined);
    await expect(checkDownloadTarget(new URL('http://mirror.lan:9000/m.gguf'), policy, never)).resolves.toBe(
      undefined,
    );
    await expect(
      checkDownloadTarget(new URL('http://192.168.1.20:8081/m.gguf'), policy, never),
    ).rejects.toThrow(/https only/);
  });
});
