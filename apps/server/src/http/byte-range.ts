// RFC 7233 byte ranges, single range only: `bytes=a-b`, `bytes=a-`, `bytes=-n`.

export type RangeRequest =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Interprets a Range header against an object of `size` bytes. Other units and multi-range requests are
 * answered with the whole object, as the RFC allows; a broken or out-of-bounds bytes range is
 * unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'full' };
  const value = header.trim();
  const eq = value.indexOf('=');
  if (eq < 0) return { kind: 'unsatisfiable' };
  if (value.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'full' };
  const spec = value.slice(eq + 1).trim();
  if (spec.includes(',')) return { kind: 'full' };
  const m = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'unsatisfiable' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
