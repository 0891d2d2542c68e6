import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The shape of every error answer (CONTRACT §1). */
export class ErrorDto {
  @ApiProperty() error!: string;
  @ApiPropertyOptional() message?: string;
}

export class MessageDto {
  @ApiProperty() message!: string;
}
