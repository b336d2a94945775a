import fs from 'node:fs';
import path from 'node:path';
import type { SampleInfo } from '../../src-shared/contract/api';
import { StudioError } from './errors';

interface SampleEntry extends SampleInfo {
  readonly file: string;
}

/** The bundled sample photos (resources/samples), listed with their licences for the studio's library. */
export class SampleLibrary {
  private readonly entries: readonly SampleEntry[];

  constructor(private readonly dir: string) {
    this.entries = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8')) as SampleEntry[];
  }

  list(): SampleInfo[] {
    return this.entries.map(({ id, name, licence, attribution }) => ({ id, name, licence, attribution }));
  }

  pathOf(id: string): string {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) throw new StudioError('NOT_FOUND', `There is no bundled sample called "${id}".`);
    return path.join(this.dir, entry.file);
  }
}
