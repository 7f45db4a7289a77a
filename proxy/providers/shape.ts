// Small checks the chunk guards share: an upstream's parsed JSON is `unknown` until one of them says
// what it is, so no converter reads a field of the wrong kind (a string where an array should be).

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Absent (undefined or null) or an object. */
export const optObject = (v: unknown): boolean => v === undefined || v === null || isObject(v);

/** Absent or a string. */
export const optString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** Absent, or an array whose every item passes `item`. */
export const optArrayOf = (v: unknown, item: (x: unknown) => boolean): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.every(item));
