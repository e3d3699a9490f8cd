import { z } from 'zod';
import { FieldIssue, fieldsError } from './errors';

/** Every issue of a failed zod parse as a field and a reason, fields under `prefix`. */
export function zodIssues(error: z.ZodError, prefix?: string): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const field =
      [prefix, ...issue.path].filter(p => p !== undefined).join('.') || 'body';
    const reason =
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.slice(0, 10).join(', ')}${
            issue.keys.length > 10 ? ', …' : ''
          }`
        : issue.message;
    const key = `${field}: ${reason}`;
    if (!seen.has(key)) issues.push({ field, reason });
    seen.add(key);
    if (issues.length >= 20) break;
  }
  return issues;
}

/** Parses with zod; failures become a 400 naming each field and its reason. */
export function parse<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw fieldsError(zodIssues(result.error));
}
