import { describe, expect, it } from 'vitest';
import { buildSnippets, findMatches, literalQuery, SNIPPET_LENGTH } from '../../src/transcripts/snippets.ts';

const filler = (n: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 27)).slice(0, n);

describe('snippets', () => {
  it('matches case-insensitively and counts every occurrence', () => {
    expect(findMatches('Budget, budget and BUDGET', 'budget')).toEqual([0, 8, 19]);
    const r = buildSnippets('BUDGET', 'The budget was approved.', 'we discussed the Budget at length');
    expect(r.totalMatchCount).toBe(2);
    expect(r.snippets).toEqual(['The budget was approved.', 'we discussed the Budget at length']);
  });

  it('starts 50 characters before the match, spans at most 150 and marks cuts with ellipses', () => {
    const text = `${filler(200)} quarterly forecast ${filler(300)}`;
    const { snippets } = buildSnippets('forecast', null, text);
    expect(snippets).toHaveLength(1);
    const s = snippets[0];
    expect(s.startsWith('...')).toBe(true);
    expect(s.endsWith('...')).toBe(true);
    const body = s.slice(3, -3);
    expect(body.length).toBeLessThanOrEqual(SNIPPET_LENGTH);
    const at = body.indexOf('forecast');
    expect(at).toBeGreaterThanOrEqual(40);
    expect(at).toBeLessThanOrEqual(50);
  });

  it('has no leading ellipsis when the match is near the start', () => {
    const { snippets } = buildSnippets('hello', null, `hello there ${filler(400)}`);
    expect(snippets[0].startsWith('hello there')).toBe(true);
    expect(snippets[0].endsWith('...')).toBe(true);
  });

  it('skips matches inside an earlier snippet but still counts them', () => {
    const text = `alpha beta alpha gamma alpha ${filler(400)} alpha end`;
    const r = buildSnippets('alpha', null, text);
    expect(r.totalMatchCount).toBe(4);
    expect(r.snippets).toHaveLength(2);
    expect(r.snippets[1]).toContain('alpha end');
  });

  it('takes at most two snippets from the summary, then fills up to three from the text', () => {
    const summary = ['risk', 'risk', 'risk'].map((w) => `${filler(200)} ${w}`).join(' ');
    const text = ['risk', 'risk', 'risk'].map((w) => `${filler(200)} ${w}`).join(' ');
    const r = buildSnippets('risk', summary, text);
    expect(r.snippets).toHaveLength(3);
    expect(r.totalMatchCount).toBe(6);
    const fromSummary = buildSnippets('risk', summary, '');
    expect(fromSummary.snippets).toHaveLength(2);
    const fromText = buildSnippets('risk', '', text);
    expect(fromText.snippets).toHaveLength(3);
  });

  it('falls back to the first word of a multi-word query without an exact hit', () => {
    const r = buildSnippets('deadline moved', null, 'the deadline is friday; nothing else changed');
    expect(r.totalMatchCount).toBe(1);
    expect(r.snippets[0]).toContain('deadline is friday');
    expect(buildSnippets('deadline friday', null, 'the deadline friday').snippets[0]).toBe('the deadline friday');
  });

  it('gives nothing for an empty query or empty texts', () => {
    expect(buildSnippets('', 'a', 'b')).toEqual({ snippets: [], totalMatchCount: 0 });
    expect(buildSnippets('word', null, null)).toEqual({ snippets: [], totalMatchCount: 0 });
  });

  it('ignores web-search syntax when matching literally', () => {
    expect(literalQuery('"Launch Plan" -draft or beta')).toBe('launch plan beta');
    expect(buildSnippets('"launch plan"', 'The launch plan is ready', null).snippets).toEqual(['The launch plan is ready']);
  });

  it('collapses line breaks so snippets read as one line', () => {
    expect(buildSnippets('item', '# Notes\n\n- item one\n- item two', null).snippets[0]).toBe('# Notes - item one - item two');
  });
});
