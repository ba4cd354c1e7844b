// Search result snippets: short excerpts around the places where the query text occurs, taken from the
// long summary first and then from the plain transcript text, so a reader sees why a transcript matched.

export const SNIPPET_LEAD = 50;
export const SNIPPET_LENGTH = 150;
export const MAX_SNIPPETS = 3;
export const MAX_SUMMARY_SNIPPETS = 2;

export interface SnippetResult {
  snippets: string[];
  /** Occurrences of the matched text in the summary plus those in the transcript text. */
  totalMatchCount: number;
}

/**
 * The text to look for literally: the query without web-search syntax (quotes, `-excluded` words, `or`),
 * whitespace collapsed, lower-cased.
 */
export function literalQuery(q: string): string {
  return q
    .replace(/["“”]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !w.startsWith('-') && w.toLowerCase() !== 'or')
    .join(' ')
    .toLowerCase();
}

/** Whitespace runs (newlines in markdown, caption breaks) become single spaces so snippets read as prose. */
export function normalizeText(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Start positions of non-overlapping, case-insensitive occurrences of `needle` (already lower-case). */
export function findMatches(haystack: string, needle: string): number[] {
  if (!needle) return [];
  const lower = haystack.toLowerCase();
  const found: number[] = [];
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, i + needle.length)) found.push(i);
  return found;
}

/** Up to `max` snippets around the matches; a match whose window overlaps an earlier snippet is skipped. */
export function snippetsFrom(text: string, matches: number[], max: number): string[] {
  const out: string[] = [];
  let coveredUntil = -1;
  for (const at of matches) {
    if (out.length >= max) break;
    const start = Math.max(0, at - SNIPPET_LEAD);
    if (start < coveredUntil) continue;
    const end = Math.min(text.length, start + SNIPPET_LENGTH);
    out.push(`${start > 0 ? '...' : ''}${text.slice(start, end).trim()}${end < text.length ? '...' : ''}`);
    coveredUntil = end;
  }
  return out;
}

/**
 * Snippets for one search result. A multi-word query that occurs nowhere as a whole falls back to its
 * first word, so "budget review" still shows where "budget" was said.
 */
export function buildSnippets(q: string, longSummary: string | null | undefined, transcriptText: string | null | undefined): SnippetResult {
  const query = literalQuery(q);
  if (!query) return { snippets: [], totalMatchCount: 0 };
  const summary = normalizeText(longSummary);
  const text = normalizeText(transcriptText);

  let needle = query;
  let inSummary = findMatches(summary, needle);
  let inText = findMatches(text, needle);
  if (inSummary.length + inText.length === 0 && needle.includes(' ')) {
    needle = needle.split(' ')[0];
    inSummary = findMatches(summary, needle);
    inText = findMatches(text, needle);
  }

  const snippets = snippetsFrom(summary, inSummary, MAX_SUMMARY_SNIPPETS);
  snippets.push(...snippetsFrom(text, inText, MAX_SNIPPETS - snippets.length));
  return { snippets, totalMatchCount: inSummary.length + inText.length };
}
