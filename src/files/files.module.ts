import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { FileShare } from './entities/file-share.entity';
import { Folder } from './entities/folder.entity';
import { ResourceProperty } from './entities/resource-property.entity';
import { FileTreeService } from './folders/file-tree.service';
import { FoldersController } from './folders/folders.controller';
import { FoldersRepository } from './folders/folders.repository';
import { FoldersService } from './folders/folders.service';
import { ResourcePropertiesRepository } from './properties/resource-properties.repository';
import { ResourcePropertiesService } from './properties/resource-properties.service';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';
import { UploadReservation } from './entities/upload-reservation.entity';
import { BlobHolders } from './blob-holders';
import { FileSharesRepository } from './file-shares.repository';
import { FileUploadService } from './file-upload.service';
import { FileVersionsRepository } from './file-versions.repository';
import { FilesStorageUsage } from './files-storage-usage';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { FilesService } from './files.service';
import { SharesController } from './shares.controller';
import { SharesService } from './shares.service';
import { UploadReservationsRepository } from './upload-reservations.repository';
import { UploadSweeper } from './upload-sweeper.service';
import { ReservationReleases } from './reservation-releases';
import { BlobSweeper } from './blob-sweeper.service';
import { TreeRemover } from './folders/tree-remover';
import { TrashItem } from './trash/trash-item.entity';
import { TrashPurger } from './trash/trash-purger';
import { TrashController } from './trash/trash.controller';
import { TrashRepository } from './trash/trash.repository';
import { TrashService } from './trash/trash.service';

/** Users' files (S0) in folders (§5), sharing them (S4), and the trash (§9). The BlobStore comes from the global StorageModule. */
@Module({
  imports: [TypeOrmModule.forFeature([StoredFile, FileVersion, FileShare, UploadReservation, Folder, ResourceProperty, TrashItem]), UsersModule],
  controllers: [FilesController, FoldersController, SharesController, TrashController],
  providers: [
    FilesService,
    FileTreeService,
    FoldersService,
    FoldersRepository,
    ResourcePropertiesRepository,
    ResourcePropertiesService,
    SharesService,
    FileUploadService,
    ReservationReleases,
    UploadSweeper,
    BlobSweeper,
    FilesStorageUsage,
    BlobHolders,
    FilesRepository,
    FileVersionsRepository,
    FileSharesRepository,
    UploadReservationsRepository,
    TreeRemover,
    TrashRepository,
    TrashPurger,
    TrashService,
  ],
  // The upload pipeline and the registry of blob holders serve Sounds, tus and WebDAV too; WebDAV works on the same tree and files.
  exports: [FilesStorageUsage, FileUploadService, BlobHolders, FilesService, FileTreeService, ResourcePropertiesRepository, ResourcePropertiesService],
})
export class FilesModule {}
