/** Request validation with zod; a failure becomes a 422 VALIDATION_FAILED problem naming each field. */
import { z } from 'zod';
import { AppError } from '../errors/app-error';

/** Rejects control characters (NUL included): nothing we store or show needs them. */
const noControlCharacters = (value: string): boolean => !/[\u0000-\u001f\u007f]/.test(value);

/** A trimmed-length-checked, control-free string. */
export function text(min: number, max: number): z.ZodString {
  return z
    .string()
    .min(min, `must be at least ${min} character${min === 1 ? '' : 's'}`)
    .max(max, `must be at most ${max} characters`)
    .refine(noControlCharacters, 'must not contain control characters') as unknown as z.ZodString;
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
