import { Transform, TransformCallback } from 'node:stream';

export interface AudioFormat {
  /** Short name, e.g. "mp3", "wav". */
  name: string;
  /** The Content-Type the sound is served with. */
  contentType: string;
}

/** Bytes needed to recognise every format below (ftyp's brand ends at byte 12; OpusHead at 36). */
export const SNIFF_BYTES = 40;

const ascii = (bytes: Buffer, offset: number, text: string): boolean =>
  bytes.length >= offset + text.length && bytes.toString('latin1', offset, offset + text.length) === text;

/**
 * A bare MPEG audio frame header (MP3 without ID3) or an ADTS AAC header: 11 sync bits, then
 * fields that rule out the all-ones and reserved values that random bytes would often hit.
 */
function mpegFrame(bytes: Buffer): AudioFormat | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || (bytes[1] & 0xe0) !== 0xe0) return null;
  const version = (bytes[1] >> 3) & 0x03;
  const layer = (bytes[1] >> 1) & 0x03;
  if (layer === 0) {
    // ADTS: MPEG-4/2 AAC; sampling index 13-15 are reserved.
    const sampling = (bytes[2] >> 2) & 0x0f;
    return (bytes[1] & 0xf6) === 0xf0 && sampling < 13 ? { name: 'aac', contentType: 'audio/aac' } : null;
  }
  const bitrate = bytes[2] >> 4;
  const sampleRate = (bytes[2] >> 2) & 0x03;
  if (version === 1 || bitrate === 0x0f || sampleRate === 0x03) return null;
  return { name: 'mp3', contentType: 'audio/mpeg' };
}

/** Recognises audio from its first bytes; the declared type is never trusted. */
export function sniffAudio(bytes: Buffer): AudioFormat | null {
  if (ascii(bytes, 0, 'ID3')) return { name: 'mp3', contentType: 'audio/mpeg' };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return { name: 'wav', contentType: 'audio/wav' };
  if (ascii(bytes, 0, 'OggS')) {
    return ascii(bytes, 28, 'OpusHead') ? { name: 'opus', contentType: 'audio/ogg' } : { name: 'ogg', contentType: 'audio/ogg' };
  }
  if (ascii(bytes, 0, 'fLaC')) return { name: 'flac', contentType: 'audio/flac' };
  if (ascii(bytes, 4, 'ftyp')) return { name: 'm4a', contentType: 'audio/mp4' };
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return { name: 'webm', contentType: 'audio/webm' };
  return mpegFrame(bytes);
}

/** The stream's first bytes are not a known audio format. */
export class NotAudioError extends Error {
  constructor() {
    super('not a recognised audio format');
  }
}

/**
 * Passes bytes through unchanged, holding back only the first SNIFF_BYTES to recognise the
 * format; when they are not audio the stream fails with NotAudioError, so that whatever was
 * consuming it (the blob store write) stops and removes its partial blob.
 */
export class AudioSniffer extends Transform {
  format: AudioFormat | null = null;
  private head: Buffer[] = [];
  private headLength = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.format) {
      callback(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < SNIFF_BYTES) {
      callback();
      return;
    }
    this.decide(callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.format) callback();
    else this.decide(callback);
  }

  private decide(callback: TransformCallback): void {
    const head = Buffer.concat(this.head, this.headLength);
    this.head = [];
    this.format = sniffAudio(head);
    if (!this.format) callback(new NotAudioError());
    else callback(null, head);
  }
}
