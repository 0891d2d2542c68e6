import { AppPassword } from '../auth/app-passwords/app-password.entity';
import { NamedLock } from '../common/locks/named-lock.entity';
import { SessionRow } from '../auth/sessions/session.entity';
import { DavLock } from '../dav/entities/dav-lock.entity';
import { Folder } from '../files/entities/folder.entity';
import { ResourceProperty } from '../files/entities/resource-property.entity';
import { FileShare } from '../files/entities/file-share.entity';
import { FileVersion } from '../files/entities/file-version.entity';
import { StoredFile } from '../files/entities/stored-file.entity';
import { TrashItem } from '../files/trash/trash-item.entity';
import { UploadReservation } from '../files/entities/upload-reservation.entity';
import { Link } from '../links/link.entity';
import { Sound } from '../sounds/entities/sound.entity';
import { ResumableUpload } from '../uploads/entities/resumable-upload.entity';
import { User } from '../users/user.entity';

/** Every entity of the app; each module owns its own, this list only registers them. */
export const ENTITIES = [User, SessionRow, Sound, StoredFile, FileVersion, FileShare, UploadReservation, Folder, ResourceProperty, DavLock, AppPassword, ResumableUpload, NamedLock, TrashItem, Link];
