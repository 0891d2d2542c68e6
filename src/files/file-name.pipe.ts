import { Injectable, PipeTransform } from '@nestjs/common';
import { assertValidFileName } from './file-name';

/** `:filename` route params: 400 before anything else looks at a bad name. */
@Injectable()
export class FileNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return assertValidFileName(value);
  }
}
