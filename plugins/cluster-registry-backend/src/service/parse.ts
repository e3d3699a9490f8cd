import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** `field: reason; field: reason` for every issue, fields relative to `prefix`. */
export function zodIssuesToMessage(error: z.ZodError, prefix?: string): string {
  const seen = new Set<string>();
  const issues: string[] = [];
  for (const issue of error.issues) {
    const field =
      [prefix, ...issue.path].filter(p => p !== undefined).join('.') || 'body';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.slice(0, 10).join(', ')}${
            issue.keys.length > 10 ? ', …' : ''
          }`
        : issue.message;
    const line = `${field}: ${message}`;
    if (!seen.has(line)) issues.push(line);
    seen.add(line);
    if (issues.length >= 20) break;
  }
  return issues.join('; ');
}

/** Parses with zod; failures become a 400 naming each field and its reason. */
export function parse<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InputError(zodIssuesToMessage(result.error));
}
