/**
 * `metadata.managedFields` entries in the FieldsV1 form the API server writes: `f:<field>` for
 * fields, `k:{...}` for list items keyed by their merge key, `.` for a map or item owned as a whole.
 */

type Json = Record<string, unknown>;

/** Merge keys of the lists that appear in the demo objects, in the order the API server prints them. */
const MERGE_KEYS: readonly (readonly string[])[] = [
  ['containerPort', 'protocol'],
  ['containerPort'],
  ['port', 'protocol'],
  ['port'],
  ['mountPath'],
  ['type'],
  ['ip'],
  ['name'],
];

/** Struct fields that never get a `.` entry of their own. */
const STRUCTS = new Set(['metadata', 'spec', 'status', 'template']);

function itemKey(item: Json): string | undefined {
  for (const keys of MERGE_KEYS) {
    if (keys.every((k) => item[k] !== undefined)) {
      const key: Json = {};
      for (const k of keys) key[k] = item[k];
      return `k:${JSON.stringify(key)}`;
    }
  }
  return undefined;
}

function fieldsOfList(items: unknown[]): Json {
  const out: Json = {};
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const key = itemKey(item as Json);
    if (key !== undefined) out[key] = { '.': {}, ...fieldsOfMap(item as Json) };
  }
  return out;
}

function fieldsOfMap(value: Json): Json {
  const out: Json = {};
  for (const [name, child] of Object.entries(value)) {
    out[`f:${name}`] = fieldsOf(name, child);
  }
  return out;
}

function fieldsOf(name: string, value: unknown): Json {
  if (Array.isArray(value)) {
    const items = fieldsOfList(value);
    return Object.keys(items).length > 0 ? items : {};
  }
  if (value === null || typeof value !== 'object' || Object.keys(value).length === 0) return {};
  const children = fieldsOfMap(value as Json);
  return STRUCTS.has(name) ? children : { '.': {}, ...children };
}

export interface ManagedFieldsEntry {
  apiVersion: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Json;
  manager: string;
  operation: 'Update' | 'Apply';
  subresource?: string;
  time: string;
}

/** The entry a manager gets for writing `fields` (an object shaped like the part it wrote). */
export function managedFieldsEntry(
  apiVersion: string,
  manager: string,
  fields: Json,
  time: string,
  subresource?: string,
): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = {
    apiVersion,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsOfMap(fields),
    manager,
    operation: 'Update',
    time,
  };
  if (subresource !== undefined) entry.subresource = subresource;
  return entry;
}
