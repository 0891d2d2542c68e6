import { Readable } from 'node:stream';
import type { IAudioMetadata, IOptions } from 'music-metadata';

type MusicMetadata = { parseStream(stream: Readable, fileInfo: { mimeType?: string; size?: number }, options?: IOptions): Promise<IAudioMetadata> };

export interface AudioTags {
  durationSeconds: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
}

export const NO_TAGS: AudioTags = { durationSeconds: null, title: null, artist: null, album: null };

let loading: Promise<MusicMetadata> | undefined;

/**
 * music-metadata v11 is ESM-only and this app compiles to CommonJS. Node's own require loads
 * ESM packages (require(esm), Node 20.19+), and taking `require` from `process.getBuiltinModule`
 * reaches Node's loader even under Jest, whose sandboxed require cannot. On an older Node the
 * dynamic import is kept out of TypeScript's reach (it would turn `import()` into `require()`).
 */
export function loadMusicMetadata(): Promise<MusicMetadata> {
  loading ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- @types/node 20 types the result as unknown
    const { createRequire } = process.getBuiltinModule('node:module') as typeof import('node:module');
    try {
      return createRequire(__filename)('music-metadata') as MusicMetadata;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant string: an import() that TypeScript must not rewrite
      const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<MusicMetadata>;
      return importEsm('music-metadata');
    }
  })();
  return loading;
}

function clean(text: string | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed.slice(0, 255) : null;
}

/**
 * Duration and basic tags, read from the stream (only as far as the parser needs; `size` lets
 * it estimate an MP3's duration without reading every frame). The caller destroys the stream.
 */
export async function readAudioTags(stream: Readable, contentType: string, size: number): Promise<AudioTags> {
  const mm = await loadMusicMetadata();
  // Raw AAC (ADTS) has no header that states a duration: only counting its frames gives one.
  const countFrames = contentType === 'audio/aac';
  const metadata = await mm.parseStream(stream, { mimeType: contentType, size }, { duration: countFrames, skipCovers: true });
  const duration = metadata.format.duration;
  return {
    durationSeconds: duration !== undefined && Number.isFinite(duration) && duration >= 0 ? duration : null,
    title: clean(metadata.common.title),
    artist: clean(metadata.common.artist),
    album: clean(metadata.common.album),
  };
}
