import express from 'express';
import { fieldError } from './errors';

/** Largest accepted request body: a 1 MB kubeconfig fits, 10 MB does not. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Bounds on a parsed body's shape, checked in one linear pass before any
 * validator walks it: no request of this API needs more, and validators
 * are not given millions of keys or thousands of levels to walk.
 */
export const MAX_BODY_VALUES = 5000;
export const MAX_BODY_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Counts the separators outside strings of raw JSON (a bound on its number
 * of values) without parsing it, so that a body of 100,000 tiny keys is
 * refused before JSON.parse builds them.
 */
function tooManyValues(buf: Buffer): boolean {
  let inString = false;
  let count = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === COMMA || c === COLON) {
      if (++count > 2 * MAX_BODY_VALUES) return true;
    }
  }
  return false;
}

function shapeProblem(body: unknown): string | undefined {
  let values = 0;
  const stack: Array<[unknown, number]> = [[body, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (++values > MAX_BODY_VALUES)
      return `has more than ${MAX_BODY_VALUES} values`;
    if (depth > MAX_BODY_DEPTH)
      return `is nested deeper than ${MAX_BODY_DEPTH} levels`;
    if (value && typeof value === 'object') {
      for (const child of Object.values(value)) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

/** An error the framework's error handler renders with its status. */
function httpError(statusCode: number, name: string, reason: string) {
  return Object.assign(new Error(`body: ${reason}`), {
    name,
    statusCode,
    fields: [{ field: 'body', reason }],
  });
}

function hasBody(req: express.Request): boolean {
  const length = req.headers['content-length'];
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '0')
  );
}

/** `application/json` or `application/<x>+json`, with no charset or UTF-8. */
function isJsonUtf8(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [media, ...params] = contentType.split(';');
  const type = media.trim().toLowerCase();
  if (
    type !== 'application/json' &&
    !/^application\/[a-z0-9.+-]+\+json$/.test(type)
  )
    return false;
  for (const param of params) {
    const [key, value = ''] = param.split('=');
    if (key.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

/**
 * Request bodies are JSON in UTF-8: anything else is a 415 before a byte of
 * it is read. Parse errors say where the body stops being JSON, never what
 * it contains (a token next to the error is not quoted back), and a body
 * over the limit keeps its 413.
 */
export function jsonBodies(): express.RequestHandler[] {
  const parser = express.json({
    limit: MAX_BODY_BYTES,
    strict: true,
    // A compressed body would be inflated before its size is known.
    inflate: false,
    // Everything reaching the parser passed the media-type check below.
    type: () => true,
    verify: (_req, _res, buf) => {
      if (tooManyValues(buf)) {
        throw Object.assign(new Error('too many values'), {
          type: 'body.too.many.values',
        });
      }
    },
  });
  return [
    (req, _res, next) => {
      if (!hasBody(req)) return next();
      if (!isJsonUtf8(req.headers['content-type'])) {
        return next(
          httpError(
            415,
            'UnsupportedMediaTypeError',
            'must be JSON in UTF-8 (Content-Type: application/json)',
          ),
        );
      }
      return parser(req, _res, error => {
        if (error) return next(error);
        const problem = shapeProblem(req.body);
        return next(problem ? fieldError('body', `${problem}`) : undefined);
      });
    },
  ];
}

/** Replaces the body parser's errors, which carry the raw body, with clean ones. */
export function translateBodyError(error: Error): Error {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    return httpError(
      413,
      'PayloadTooLargeError',
      `larger than the ${MAX_BODY_BYTES / 1024 / 1024} MB limit`,
    );
  }
  if (type === 'body.too.many.values') {
    return fieldError('body', `has more than ${MAX_BODY_VALUES} values`);
  }
  if (type === 'entity.parse.failed') {
    const position = /position (\d+)/.exec(error.message)?.[1];
    const lineCol = /line (\d+) column (\d+)/.exec(error.message);
    let where = '';
    if (position) where = ` (at character ${position})`;
    else if (lineCol) where = ` (at line ${lineCol[1]}, column ${lineCol[2]})`;
    return fieldError('body', `is not valid JSON${where}`);
  }
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return httpError(
      415,
      'UnsupportedMediaTypeError',
      'must be JSON in UTF-8, without a content encoding',
    );
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') {
    return fieldError('body', 'the request body was not received whole');
  }
  if (type !== undefined && (error as { body?: unknown }).body !== undefined) {
    return fieldError('body', 'could not be read');
  }
  return error;
}
