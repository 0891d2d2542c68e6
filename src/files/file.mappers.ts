import { ServedBlob } from '../storage/blob-responder';
import { FileVersionDto, StoredFileVersionDto, UploadedFileDto } from './dto/file.dto';
import { IncomingShareDto, OutgoingShareDto } from './dto/share.dto';
import { FileShare } from './entities/file-share.entity';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';

/** Explicit mappers: a blob key or an owner id never reaches a response by accident. */

export function toStoredFileVersionDto(file: StoredFile, version: FileVersion): StoredFileVersionDto {
  return { id: file.id, name: file.name, version: version.version, size: version.size, contentType: version.contentType, sha256: version.sha256 };
}

export function toUploadedFileDto(file: StoredFile, version: FileVersion): UploadedFileDto {
  return { id: file.id, name: file.name, version: version.version, size: version.size, contentType: version.contentType };
}

export function toFileVersionDto(version: FileVersion): FileVersionDto {
  return { version: version.version, size: version.size, contentType: version.contentType, sha256: version.sha256, createdAt: version.createdAt.toISOString() };
}

export function toIncomingShareDto(share: FileShare, file: StoredFile, owner: string, latest: FileVersion): IncomingShareDto {
  return { file_id: file.id, name: file.name, owner, size: latest.size, contentType: latest.contentType, sharedAt: share.createdAt.toISOString() };
}

export function toOutgoingShareDto(share: FileShare, file: StoredFile, username: string): OutgoingShareDto {
  return { file_id: file.id, name: file.name, user_destination_id: share.userId, username, sharedAt: share.createdAt.toISOString() };
}

export function toServedBlob(version: FileVersion): ServedBlob {
  return { key: version.blobKey, size: version.size, contentType: version.contentType, sha256: version.sha256, lastModified: version.createdAt };
}
