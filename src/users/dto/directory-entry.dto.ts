import { ApiProperty } from '@nestjs/swagger';

export class DirectoryEntryDto {
  @ApiProperty() id!: number;
  @ApiProperty() username!: string;
}
