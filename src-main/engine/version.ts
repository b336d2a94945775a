import fs from 'node:fs';
import path from 'node:path';
import { defaultResourcesDir } from './paths';

/** The app version from package.json, which sits next to resources/ in every layout. */
export function readPackageVersion(): string {
  const pkg = path.resolve(defaultResourcesDir(), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}
