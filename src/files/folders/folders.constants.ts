/** Literal messages of CONTRACT §5 (folders, move, copy). */
export const FOLDER_MESSAGES = {
  badPath: 'A path is names joined by "/", each 1-255 bytes of UTF-8 without \\, NUL or control characters, and not . or ..',
  folderNotFound: 'Folder not found',
  notFound: 'No file or folder at that path',
  exists: 'A file or folder of that name already exists there',
  parentIsFile: 'A parent of that path is a file',
  parentMissing: 'The parent folder does not exist',
  isFolder: 'That path is a folder',
  intoItself: 'A folder cannot be moved or copied into itself',
  rootIsNotDeletable: 'The root folder cannot be deleted',
  rootIsNotMovable: 'The root folder cannot be moved or copied',
} as const;
