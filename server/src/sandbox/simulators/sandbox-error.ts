/** A refused sandbox action (QA endpoints), with a stable code and the HTTP status to answer. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}
