import { ConflictError, InputError, NotFoundError } from '@backstage/errors';

/** One wrong field and why, as the error body carries it (`error.fields`). */
export interface FieldIssue {
  field: string;
  reason: string;
}

type FieldErrorClass =
  | typeof InputError
  | typeof ConflictError
  | typeof NotFoundError;

/**
 * An error about fields: its message is `field: reason; field: reason` for
 * people and logs, and `fields` carries the same as data, which the
 * framework's error handler puts into the response body, so that clients
 * show each reason next to its field without reading the text.
 */
export function fieldsError(
  issues: FieldIssue[],
  ErrorClass: FieldErrorClass = InputError,
): Error {
  const error = new ErrorClass(
    issues.map(i => `${i.field}: ${i.reason}`).join('; '),
  );
  return Object.assign(error, { fields: issues });
}

/** `fieldsError` for one field. */
export function fieldError(
  field: string,
  reason: string,
  ErrorClass: FieldErrorClass = InputError,
): Error {
  return fieldsError([{ field, reason }], ErrorClass);
}
