// 16-bit PCM WAV encoding of one clip, for uploading ≤ 30 s batches to remote recognisers.
import { wavHeader } from '../audio/encode.ts';
import { SAMPLE_RATE, type Pcm } from '../types.ts';

export function pcmToWav(pcm: Pcm, sampleRate = SAMPLE_RATE): Buffer {
  const buf = Buffer.alloc(44 + pcm.length * 2);
  wavHeader(pcm.length, sampleRate).copy(buf, 0);
  for (let i = 0; i < pcm.length; i++) {
    const s = Math.max(-1, Math.min(1, pcm[i]));
    buf.writeInt16LE(Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), 44 + i * 2);
  }
  return buf;
}
