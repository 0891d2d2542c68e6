import { isDeepStrictEqual } from 'node:util';
import { ArgumentMetadata, Injectable, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import { ErrorBody } from './error-body';

const JSON_SCHEMA_ERRORS = Symbol('jsonSchemaErrors');

/**
 * Marks a DTO whose validation failures answer in S2's shape:
 * `{error: "JSON validation error", errorMessage, expectedSchema}`, the schema derived from this class.
 */
export function JsonSchemaErrors(): ClassDecorator {
  return (target) => Reflect.defineMetadata(JSON_SCHEMA_ERRORS, true, target);
}

export class ValidationFailedException extends Error {
  constructor(
    readonly dto: Type<unknown> | undefined,
    message: string,
  ) {
    super(message);
  }
}

class ValidationErrors extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('validation failed');
  }
}

function messagesOf(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((text) =>
      prefix && text.startsWith(error.property) ? `${prefix}${text}` : text,
    ),
    ...messagesOf(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

export function validationErrorBody(exception: ValidationFailedException): ErrorBody {
  if (exception.dto && Reflect.getMetadata(JSON_SCHEMA_ERRORS, exception.dto)) {
    return {
      error: 'JSON validation error',
      errorMessage: exception.message,
      expectedSchema: targetConstructorToSchema(exception.dto),
    };
  }
  return { error: exception.message };
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

function isDtoClass(metatype: ArgumentMetadata['metatype']): metatype is Type<unknown> {
  return typeof metatype === 'function' && ![String, Boolean, Number, Array, Object].includes(metatype as never);
}

/** The app's one validation pipe: DTO classes validate bodies, queries and params. */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      forbidUnknownValues: false,
      exceptionFactory: (errors) => new ValidationErrors(errors),
    });
  }

  /**
   * Query DTOs for which an empty query is valid. Most requests send no query string, and
   * class-transformer plus class-validator cost ~3 % of a small request: once an empty query of
   * a DTO has validated to a plain fresh instance, later empty queries get a fresh instance.
   */
  private readonly emptyQueryValid = new WeakMap<Type<unknown>, boolean>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = isDtoClass(metadata.metatype) ? metadata.metatype : undefined;
    if (metadata.type === 'query' && dto && isEmptyObject(value)) {
      if (this.emptyQueryValid.get(dto)) return new dto();
      const result = await this.validated(value, metadata, dto);
      // Only where the validated result is exactly a fresh instance (no defaults filled in by transforms).
      this.emptyQueryValid.set(dto, isDeepStrictEqual(result, new dto()));
      return result;
    }
    return this.validated(value, metadata, dto);
  }

  private async validated(value: unknown, metadata: ArgumentMetadata, dto: Type<unknown> | undefined): Promise<unknown> {
    if (metadata.type === 'body' && dto && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ValidationFailedException(dto, 'request body must be a JSON object');
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationErrors) {
        throw new ValidationFailedException(dto, messagesOf(error.errors).join('; ') || 'invalid request');
      }
      throw error;
    }
  }
}
