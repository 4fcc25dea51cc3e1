/** Request validation with zod; a failure becomes a 422 VALIDATION_FAILED problem naming each field. */
import { z } from 'zod';
import { AppError } from '../errors/app-error';

/**
 * Control characters (NUL included) and bidirectional overrides: nothing we store or show needs
 * them, and an override can make a name shown to a friend read as something else.
 */
const forbiddenCharacters = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/** A string of `min`-`max` characters, well-formed, without control or bidi-override characters, not blank. */
export function text(min: number, max: number): z.ZodString {
  return z
    .string()
    .min(min, `must be at least ${min} character${min === 1 ? '' : 's'}`)
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !forbiddenCharacters.test(value), 'must not contain control or direction-override characters')
    .refine((value) => value.isWellFormed(), 'must be well-formed Unicode')
    .refine((value) => min === 0 || value.trim().length > 0, 'must not be blank');
}

/** An http(s) URL of reasonable length. */
export const httpUrl = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** Parses `input` with `schema` or throws VALIDATION_FAILED listing every problem. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what = 'body'): T {
  if (input === undefined) throw new AppError('VALIDATION_FAILED', `The request ${what} must be a JSON object (Content-Type: application/json).`);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.') || what,
    message: issue.message,
  }));
  const first = errors[0];
  throw new AppError('VALIDATION_FAILED', first ? `${first.path}: ${first.message}` : `Invalid ${what}.`, { errors });
}
