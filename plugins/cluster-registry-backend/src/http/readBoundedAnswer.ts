import type { ClientRequest, IncomingMessage } from 'node:http';

/** An answer read by {@link readBoundedAnswer}. */
export interface BoundedAnswer {
  status: number;
  /** Parsed when the answer is JSON, else its text (e.g. /healthz's "ok"). */
  body: any;
}

/**
 * Reads the answer `res` to `req`, at most `max` characters of it: a server
 * sending more is not given the backend's memory (or JSON.parse time); its
 * request is destroyed with `tooLong()`. Errors of `res` stay the caller's.
 */
export function readBoundedAnswer(
  req: ClientRequest,
  res: IncomingMessage,
  max: number,
  tooLong: () => Error,
  done: (answer: BoundedAnswer) => void,
): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', chunk => {
    text += chunk;
    if (text.length > max) req.destroy(tooLong());
  });
  res.on('end', () => {
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the caller says what it expected
    }
    done({ status: res.statusCode ?? 0, body });
  });
}
