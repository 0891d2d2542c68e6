import { ApiProperty } from '@nestjs/swagger';

export class DirectoryEntryDto {
  @ApiProperty() id!: number;
  @ApiProperty() username!: string;
}

export class OwnFileIdDto {
  @ApiProperty({ description: 'the file id that POST /share and POST /download take' }) id!: number;
  @ApiProperty() name!: string;
}
