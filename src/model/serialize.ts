/**
 * The model on disk: JSON with keys sorted at every level, two-space indent and a final newline,
 * so a re-run on the same data changes no byte and a diff shows only what changed. Array order
 * is meaningful and kept; producing arrays in a stable order is the analyzers' job.
 */
import { readFile } from 'node:fs/promises';
import { InputError, NotFoundError } from '../errors.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import type { DesiredState } from './types.js';
import { validateModel } from './validate.js';

/** A copy of `value` whose objects have their keys in sorted order; `undefined` fields dropped. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = sortKeysDeep(field);
  }
  return sorted;
}

export function serializeModel(model: DesiredState): string {
  return `${JSON.stringify(sortKeysDeep(model), null, 2)}\n`;
}

/** Reads and validates a model file; a missing, unparsable or invalid file is the user's input error. */
export async function readModel(file: string): Promise<DesiredState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`model file ${file} does not exist`);
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`model file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return validateModel(json, file, text);
}

/** Writes the model in its stable form, atomically (a reader sees the old file or the new one). */
export async function writeModel(file: string, model: DesiredState): Promise<void> {
  await writeFileAtomically(file, serializeModel(model));
}
