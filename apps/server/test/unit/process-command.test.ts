// `reflector process FILE`: the whole pipeline without a server, on a synthetic two-speaker meeting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIALOGUES, synthesizeMeeting, wordErrorRate } from '@reflector/speech';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/reflector.js');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'reflector-process-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, [BIN, 'process', ...args], { cwd, env: { PATH: process.env.PATH!, HOME: cwd }, encoding: 'utf8', timeout: 300_000 });

describe('reflector process', () => {
  it('prints one JSON document with words, speakers, topics, title, summaries and action items', async () => {
    const meeting = await synthesizeMeeting({ turns: DIALOGUES.twoSpeakers(), name: 'process-command' });
    const r = run([meeting.wavPath, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Math.abs(doc.duration - meeting.duration)).toBeLessThan(0.5);
    expect(doc.summary_method).toBe('extractive');
    expect(doc.title.length).toBeGreaterThan(3);
    expect(doc.long_summary).toMatch(/^## Quick recap/);
    expect(doc.topics.length).toBeGreaterThan(0);
    expect(doc.action_items).toHaveProperty('next_steps');
    expect(new Set(doc.words.map((w: { speaker: number }) => w.speaker)).size).toBe(2);
    expect(doc.words[0]).toMatchObject({ text: expect.any(String), start: expect.any(Number), end: expect.any(Number), speaker_name: expect.stringMatching(/^Speaker \d$/) });
    const { wer } = wordErrorRate(meeting.transcript, doc.words.map((w: { text: string }) => w.text).join(' '));
    expect(wer).toBeLessThan(0.2);
  }, 300_000);

  it('prints readable text with times and names, with progress on stderr', async () => {
    const meeting = await synthesizeMeeting({ turns: DIALOGUES.oneSpeakerSlt(), name: 'process-command-slt' });
    const r = run([meeting.wavPath, '--speakers', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# /);
    expect(r.stdout).toContain('## Transcript');
    expect(r.stdout).toMatch(/\[00:0\d\] Speaker 0: /);
    expect(r.stderr).toMatch(/recognising speech/);
  }, 300_000);

  it('explains bad arguments and unreadable files', () => {
    expect(run([]).status).toBe(2);
    expect(run(['a.wav', '--speakers', 'many']).stderr).toMatch(/--speakers must be a whole number/);
    const missing = run(['/nonexistent.wav']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const notMedia = run([BIN]);
    expect(notMedia.status).toBe(1);
    expect(notMedia.stderr).toMatch(/^process: /m);
  });
});
