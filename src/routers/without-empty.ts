/** `value` with undefined values, empty lists and empty maps removed at every depth. */
export function withoutEmpty(value: unknown): unknown {
  // An empty item keeps its place (an empty match matches everything); an empty list is dropped.
  if (Array.isArray(value)) return value.length > 0 ? value.map((v) => withoutEmpty(v) ?? {}) : undefined;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [k, withoutEmpty(v)] as const).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
