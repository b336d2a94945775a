import type { ExportFormat, ExportItem } from '../../../src-shared/contract/export';

/** What each item adds to a run's name: run-<id>-<suffix>.<extension>, or <picked name>-<suffix>.<extension>. */
const SUFFIX: Readonly<Record<ExportItem, string>> = {
  image: 'restored',
  sheet: 'sheet',
  'grids-png': 'grids',
  'grids-json': 'grids',
  'grids-csv': 'grids',
  record: 'record',
};

/**
 * The part of an exported file's name that says what it holds. The image at the photo's size is "photo". Of a
 * full-resolution run (`tile` given), the items that show one tile (the 128 px image, the grids PNG, the sheet)
 * name it as the studio shows it, counted from 1, so exports of two tiles do not take each other's names; the
 * grids JSON and CSV hold every tile.
 */
export function itemSuffix(
  item: ExportItem,
  options: { readonly photo?: boolean; readonly tile?: number | undefined },
): string {
  if (item === 'image' && options.photo === true) return 'photo';
  const perTile = item === 'image' || item === 'grids-png' || item === 'sheet';
  return perTile && options.tile !== undefined ? `tile-${options.tile + 1}-${SUFFIX[item]}` : SUFFIX[item];
}

const IMAGE_EXTENSION: Readonly<Record<ExportFormat, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

/** The extension an item is written with: the restored image in the chosen format, the rest in their own. */
export function itemExtension(item: ExportItem, format: ExportFormat): string {
  switch (item) {
    case 'image':
      return IMAGE_EXTENSION[format];
    case 'sheet':
    case 'grids-png':
      return 'png';
    case 'grids-json':
    case 'record':
      return 'json';
    case 'grids-csv':
      return 'csv';
  }
}
