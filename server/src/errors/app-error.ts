/** The server's one error type: a stable code from shared/ plus what the caller may be told. */
import { errorCatalog, type ErrorCode } from '../../../shared/errors';

/** Extra members of the problem+json body. */
export interface AppErrorExtras {
  retryAfter?: number;
  errors?: { path: string; message: string }[];
}

/** An error with a stable code; the problem middleware maps it to an HTTP response. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extras: AppErrorExtras = {},
  ) {
    super(detail ?? errorCatalog[code].title);
    this.name = 'AppError';
    this.status = errorCatalog[code].status;
  }
}

/** True when `error` is an AppError with one of `codes` (or any code when none given). */
export function isAppError(error: unknown, ...codes: ErrorCode[]): error is AppError {
  return error instanceof AppError && (codes.length === 0 || codes.includes(error.code));
}
