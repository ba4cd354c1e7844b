import { describe, expect, it } from 'vitest';
import { notYetReplayed } from '../../src/http/events-ws.ts';

const m = (event: string, n = 0) => ({ event, data: { n } });

describe('notYetReplayed', () => {
  it('drops live messages already in the stored log and keeps the newer ones', () => {
    const log = [m('DURATION'), m('WAVEFORM'), m('TOPIC', 1)];
    expect(notYetReplayed(log, [m('TOPIC', 1), m('TOPIC', 2)])).toEqual([m('TOPIC', 2)]);
    expect(notYetReplayed(log, [m('TOPIC', 2)])).toEqual([m('TOPIC', 2)]);
    expect(notYetReplayed(log, [])).toEqual([]);
    expect(notYetReplayed([], [m('STATUS')])).toEqual([m('STATUS')]);
  });

  it('keeps live-only PROGRESS messages wherever they fall', () => {
    const log = [m('STATUS'), m('DURATION')];
    expect(notYetReplayed(log, [m('STATUS'), m('PROGRESS', 5), m('DURATION'), m('WAVEFORM')])).toEqual([m('PROGRESS', 5), m('WAVEFORM')]);
  });
});
