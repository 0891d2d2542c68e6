import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_ID } from '../../common/http/positive-id.pipe';

/** S4 clients send ids as numbers or as numeric strings ("20"). */
function toId({ value }: { value: unknown }): unknown {
  if (typeof value === 'string' && /^\d{1,10}$/.test(value.trim())) return Number(value.trim());
  return value;
}

function IdProperty(name: string): PropertyDecorator {
  const message = `${name} must be a positive whole number (or a string of digits)`;
  return applyDecorators(
    ApiProperty({ oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }], example: 20 }),
    Transform(toId),
    IsInt({ message }),
    Min(1, { message }),
    Max(MAX_ID, { message }),
  );
}

/** `POST /share` and `DELETE /share`. */
export class ShareFileDto {
  @IdProperty('file_id') file_id!: number;
  @IdProperty('user_destination_id') user_destination_id!: number;
}

/** `POST /download`. */
export class DownloadFileDto {
  @IdProperty('file_id') file_id!: number;
}

export class IncomingShareDto {
  @ApiProperty() file_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: "the owner's username" }) owner!: string;
  @ApiProperty({ description: "bytes of the file's newest version" }) size!: number;
  @ApiProperty() contentType!: string;
  @ApiProperty({ description: 'ISO-8601' }) sharedAt!: string;
}

export class OutgoingShareDto {
  @ApiProperty() file_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() user_destination_id!: number;
  @ApiProperty({ description: "the recipient's username" }) username!: string;
  @ApiProperty({ description: 'ISO-8601' }) sharedAt!: string;
}
