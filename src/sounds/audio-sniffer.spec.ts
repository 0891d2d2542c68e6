import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AUDIO_HEADS, makeWav, NOT_AUDIO } from '../../test/support/audio';
import { AudioSniffer, NotAudioError, sniffAudio } from './audio-sniffer';

describe('sniffAudio', () => {
  it.each(Object.entries(AUDIO_HEADS))('recognises %s', (_name, { bytes, contentType }) => {
    expect(sniffAudio(bytes)?.contentType).toBe(contentType);
  });

  it('recognises a WAV', () => {
    expect(sniffAudio(makeWav(0.1))?.name).toBe('wav');
  });

  it.each(Object.entries(NOT_AUDIO))('refuses %s', (_name, bytes) => {
    expect(sniffAudio(bytes)).toBeNull();
  });

  it('refuses a RIFF that is not WAVE (an AVI)', () => {
    expect(sniffAudio(Buffer.from('RIFF\x00\x00\x00\x00AVI LIST', 'latin1'))).toBeNull();
  });

  it('refuses frame sync bytes with a reserved MPEG version or bitrate', () => {
    expect(sniffAudio(Buffer.from([0xff, 0xeb, 0x90, 0x64]))).toBeNull();
    expect(sniffAudio(Buffer.from([0xff, 0xfb, 0xf0, 0x64]))).toBeNull();
  });
});

describe('AudioSniffer', () => {
  it('passes audio through unchanged, byte for byte, however it is chunked', async () => {
    const wav = makeWav(0.2);
    const chunks = [wav.subarray(0, 3), wav.subarray(3, 10), wav.subarray(10, 41), wav.subarray(41)];
    const sniffer = new AudioSniffer();
    const out = await buffer(Readable.from(chunks).pipe(sniffer));
    expect(out.equals(wav)).toBe(true);
    expect(sniffer.format?.name).toBe('wav');
  });

  it('passes a tiny audio file that ends before the sniff window', async () => {
    const tiny = Buffer.from('fLaC\x00\x00', 'latin1');
    const out = await buffer(Readable.from([tiny]).pipe(new AudioSniffer()));
    expect(out.equals(tiny)).toBe(true);
  });

  it('fails with NotAudioError on anything else', async () => {
    await expect(buffer(Readable.from([NOT_AUDIO.text]).pipe(new AudioSniffer()))).rejects.toBeInstanceOf(NotAudioError);
  });
});
