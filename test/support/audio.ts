/**
 * Small audio files made on the spot, so that tests need no binary fixtures: a real PCM WAV
 * (which every browser plays and music-metadata reads) and the first bytes of other formats.
 */

/** A mono 16-bit PCM WAV of a sine tone. */
export function makeWav(seconds: number, { sampleRate = 8000, frequency = 440 } = {}): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 12000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const pad = (head: Buffer, length = 256): Buffer => Buffer.concat([head, Buffer.alloc(Math.max(0, length - head.length), 0x55)]);

/** The opening bytes of each format the contract names, followed by filler. */
export const AUDIO_HEADS: Record<string, { bytes: Buffer; contentType: string }> = {
  'mp3 (ID3)': { bytes: pad(Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1')), contentType: 'audio/mpeg' },
  'mp3 (frame sync)': { bytes: pad(Buffer.from([0xff, 0xfb, 0x90, 0x64])), contentType: 'audio/mpeg' },
  'aac (ADTS)': { bytes: pad(Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc])), contentType: 'audio/aac' },
  ogg: { bytes: pad(Buffer.concat([Buffer.from('OggS', 'latin1'), Buffer.alloc(24), Buffer.from('\x01vorbis', 'latin1')])), contentType: 'audio/ogg' },
  opus: { bytes: pad(Buffer.concat([Buffer.from('OggS', 'latin1'), Buffer.alloc(24), Buffer.from('OpusHead', 'latin1')])), contentType: 'audio/ogg' },
  flac: { bytes: pad(Buffer.from('fLaC\x00\x00\x00\x22', 'latin1')), contentType: 'audio/flac' },
  m4a: { bytes: pad(Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A \x00\x00\x02\x00', 'latin1')])), contentType: 'audio/mp4' },
  webm: { bytes: pad(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01])), contentType: 'audio/webm' },
};

/** Things that are not audio, whatever their name or declared type says. */
export const NOT_AUDIO: Record<string, Buffer> = {
  text: Buffer.from('just some text, not a sound at all\n'.repeat(10)),
  png: pad(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  html: Buffer.from('<!doctype html><script>alert(1)</script>'),
  empty: Buffer.alloc(0),
  'short garbage': Buffer.from([0xff]),
};
