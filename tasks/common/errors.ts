/**
 * A failure the user can fix (bad input, unreachable mirror, checksum mismatch, …).
 * The task prints only its message — what went wrong and what to do — never a stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
