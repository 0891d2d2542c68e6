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

/**
 * Real, tiny files of each format the contract names, built by hand so that tests need no
 * encoder: each holds a stream whose duration music-metadata reads (frames, STREAMINFO,
 * granule positions, mvhd, Info/Duration). Silence or zeros as payload; the headers are exact.
 */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc = (crc ^ (byte << 24)) >>> 0;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc;
}

function oggPage(flags: number, granule: number, sequence: number, packets: Buffer[]): Buffer {
  const lacing = packets.flatMap((p) => [...Array<number>(Math.floor(p.length / 255)).fill(255), p.length % 255]);
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigUInt64LE(BigInt(granule), 6);
  header.writeUInt32LE(0x0c10d5, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** Ogg Opus: OpusHead, OpusTags, then 20 ms packets; the last page's granule gives the duration. */
export function makeOpus(seconds: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = 1;
  head.writeUInt32LE(48000, 12);
  const vendor = Buffer.from('cloudstash-test');
  const tags = Buffer.alloc(16 + vendor.length);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  const pages = [oggPage(0x02, 0, 0, [head]), oggPage(0, 0, 1, [tags])];
  const packets = Math.round(seconds * 50);
  for (let sent = 0, sequence = 2; sent < packets; sequence++) {
    const n = Math.min(50, packets - sent);
    sent += n;
    // TOC 0xf8: CELT fullband 20 ms, mono, one frame.
    const batch = Array.from({ length: n }, () => Buffer.from([0xf8, 0xff, 0xfe]));
    pages.push(oggPage(sent === packets ? 0x04 : 0, sent * 960, sequence, batch));
  }
  return Buffer.concat(pages);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: frames of silence, 1152 samples each. */
export function makeMp3(seconds: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  return Buffer.concat(Array<Buffer>(Math.ceil((seconds * 44100) / 1152)).fill(frame));
}

function crc8(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** FLAC, mono 16-bit 44.1 kHz: STREAMINFO, then frames of 4096 samples, each one CONSTANT (silent) subframe. */
export function makeFlac(seconds: number): Buffer {
  const frames = Math.ceil((seconds * 44100) / 4096);
  const info = Buffer.alloc(34);
  info.writeUInt16BE(4096, 0);
  info.writeUInt16BE(4096, 2);
  // sample rate (20 bits), channels - 1 (3), bits per sample - 1 (5), total samples (36)
  info.writeBigUInt64BE((44100n << 44n) | (0n << 41n) | (15n << 36n) | BigInt(frames * 4096), 10);
  const body: Buffer[] = [];
  for (let n = 0; n < frames; n++) {
    // sync + fixed blocksize; 4096 samples, 44.1 kHz; mono, 16 bit; frame number (UTF-8, < 128)
    const header = Buffer.from([0xff, 0xf8, 0xc9, 0x08, n]);
    const frame = Buffer.concat([header, Buffer.from([crc8(header)]), Buffer.from([0x00, 0x00, 0x00])]);
    const crc = Buffer.alloc(2);
    crc.writeUInt16BE(crc16(frame));
    body.push(frame, crc);
  }
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), Buffer.from([0x80, 0, 0, 34]), info, ...body]);
}

function box(type: string, ...children: Buffer[]): Buffer {
  const body = Buffer.concat(children);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** M4A: ftyp, then moov with mvhd/tkhd/mdhd durations and an mp4a sample entry. */
export function makeM4a(seconds: number): Buffer {
  const ms = Math.round(seconds * 1000);
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12);
  mvhd.writeUInt32BE(ms, 16);
  mvhd.writeUInt32BE(0x00010000, 20);
  mvhd.writeUInt16BE(0x0100, 24);
  for (const [at, value] of [[36, 0x00010000], [52, 0x00010000], [68, 0x40000000]]) mvhd.writeUInt32BE(value, at);
  mvhd.writeUInt32BE(2, 96);
  const tkhd = Buffer.alloc(84);
  tkhd.writeUInt32BE(3, 0);
  tkhd.writeUInt32BE(1, 12);
  tkhd.writeUInt32BE(ms, 20);
  tkhd.writeUInt16BE(0x0100, 36);
  for (const [at, value] of [[40, 0x00010000], [56, 0x00010000], [72, 0x40000000]]) tkhd.writeUInt32BE(value, at);
  const mdhd = Buffer.alloc(24);
  mdhd.writeUInt32BE(44100, 12);
  mdhd.writeUInt32BE(Math.round(seconds * 44100), 16);
  const hdlr = Buffer.concat([Buffer.alloc(8), Buffer.from('soun', 'latin1'), Buffer.alloc(12), Buffer.from('SoundHandler\0', 'latin1')]);
  const entry = Buffer.alloc(28);
  entry.writeUInt16BE(1, 6);
  entry.writeUInt16BE(1, 16);
  entry.writeUInt16BE(16, 18);
  entry.writeUInt32BE(44100 * 65536, 24);
  const empty = Buffer.alloc(8);
  const stbl = box('stbl', box('stsd', Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), box('mp4a', entry)), box('stts', empty), box('stsc', empty), box('stsz', Buffer.alloc(12)), box('stco', empty));
  const moov = box('moov', box('mvhd', mvhd), box('trak', box('tkhd', tkhd), box('mdia', box('mdhd', mdhd), box('hdlr', hdlr), box('minf', stbl))));
  return Buffer.concat([box('ftyp', Buffer.from('M4A \x00\x00\x02\x00isomM4A ', 'latin1')), moov, box('mdat', Buffer.alloc(64))]);
}

function ebml(id: number, body: Buffer): Buffer {
  const hex = id.toString(16);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(body.length) | (1n << 56n));
  return Buffer.concat([Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'), size, body]);
}

const uint32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const float64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n);
  return b;
};

/** WebM: the EBML header, then a Segment whose Info has the Duration and one Opus audio track. */
export function makeWebm(seconds: number): Buffer {
  const header = ebml(
    0x1a45dfa3,
    Buffer.concat([ebml(0x4286, uint32(1)), ebml(0x42f7, uint32(1)), ebml(0x42f2, uint32(4)), ebml(0x42f3, uint32(8)), ebml(0x4282, Buffer.from('webm')), ebml(0x4287, uint32(4)), ebml(0x4285, uint32(2))]),
  );
  const info = ebml(0x1549a966, Buffer.concat([ebml(0x2ad7b1, uint32(1_000_000)), ebml(0x4489, float64(seconds * 1000))]));
  const audio = ebml(0xe1, Buffer.concat([ebml(0xb5, float64(48000)), ebml(0x9f, uint32(1))]));
  const track = ebml(0xae, Buffer.concat([ebml(0xd7, uint32(1)), ebml(0x83, uint32(2)), ebml(0x86, Buffer.from('A_OPUS')), audio]));
  return Buffer.concat([header, ebml(0x18538067, Buffer.concat([info, ebml(0x1654ae6b, track)]))]);
}

/** AAC in ADTS frames (LC, 44.1 kHz, mono), 1024 samples each. */
export function makeAdts(seconds: number): Buffer {
  const length = 107;
  const frame = Buffer.alloc(length);
  frame.set([0xff, 0xf1, (1 << 6) | (4 << 2), (1 << 6) | ((length >> 11) & 3), (length >> 3) & 0xff, ((length & 7) << 5) | 0x1f, 0xfc]);
  return Buffer.concat(Array<Buffer>(Math.ceil((seconds * 44100) / 1024)).fill(frame));
}

/** One real file of each format, two seconds long. */
export const REAL_AUDIO: Record<string, { bytes: Buffer; contentType: string }> = {
  wav: { bytes: makeWav(2), contentType: 'audio/wav' },
  mp3: { bytes: makeMp3(2), contentType: 'audio/mpeg' },
  'aac (ADTS)': { bytes: makeAdts(2), contentType: 'audio/aac' },
  'ogg opus': { bytes: makeOpus(2), contentType: 'audio/ogg' },
  flac: { bytes: makeFlac(2), contentType: 'audio/flac' },
  m4a: { bytes: makeM4a(2), contentType: 'audio/mp4' },
  webm: { bytes: makeWebm(2), contentType: 'audio/webm' },
};

/** Starts like audio, holds none: an ID3 tag and 200 KB of zeros. */
export const AUDIO_LOOKALIKE = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(200_000)]);
