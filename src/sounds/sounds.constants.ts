import { MultipartOptions } from '../common/uploads/multipart-parts';

/** Literal messages of CONTRACT §3 "Sounds module". */
export const SOUND_MESSAGES = {
  notFound: 'Sound not found',
  notYours: 'You may only delete your own sounds',
  notAudio: 'The file is not a supported audio format (MP3, WAV, OGG/Opus, FLAC, M4A/AAC, WebM)',
  tooLarge: (limit: number) => `The file is larger than the upload limit of ${limit} bytes`,
  noFile: 'No file: send the sound in a multipart part named "file"',
  notMultipart: 'Send the sound as multipart/form-data with a file part named "file"',
  titleTooLong: 'title must be at most 255 characters',
} as const;

export const SOUND_FILE_FIELD = 'file';
export const SOUND_TITLE_FIELD = 'title';
export const MAX_TITLE_LENGTH = 255;
/** S3's upload form: the sound in part `file`, an optional `title` field. */
export const SOUND_MULTIPART: MultipartOptions = { fileField: SOUND_FILE_FIELD, notMultipart: SOUND_MESSAGES.notMultipart, maxFields: 20 };
export const SOUND_PAGE = { defaultLimit: 50, maxLimit: 200 } as const;

/** On every answer of a sound stream: public bytes, revalidated (cheap with If-None-Match). */
export const SOUND_STREAM_HEADERS = {
  'Cache-Control': 'public, max-age=0, must-revalidate',
  'X-Content-Type-Options': 'nosniff',
} as const;

export const streamUrlOf = (id: number): string => `/sounds/${id}/stream`;
