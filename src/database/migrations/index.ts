import { Accounts1763740800000 } from './1763740800000-accounts';
import { Files1763745000000 } from './1763745000000-files';
import { Sounds1763800000000 } from './1763800000000-sounds';
import { ExactNames1764400000000 } from './1764400000000-exact-names';
import { Folders1765000000000 } from './1765000000000-folders';
import { AppPasswords1765000001000 } from './1765000001000-app-passwords';
import { ResumableUploads1766000000000 } from './1766000000000-resumable-uploads';
import { TrashAndLinks1767000000000 } from './1767000000000-trash-and-links';
import { BlobKeys1768000000000 } from './1768000000000-blob-keys';
import { DavLimits1769100000000 } from './1769100000000-dav-limits';
import { LinkBytesServed1769200000000 } from './1769200000000-link-bytes-served';

/** Applied in order at start-up, on SQLite, MySQL and PostgreSQL alike. */
export const MIGRATIONS = [Accounts1763740800000, Files1763745000000, Sounds1763800000000, ExactNames1764400000000, Folders1765000000000, AppPasswords1765000001000, ResumableUploads1766000000000, TrashAndLinks1767000000000, BlobKeys1768000000000, DavLimits1769100000000, LinkBytesServed1769200000000];
