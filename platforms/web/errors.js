// TetherError: every failure of the Tether API, with the conformance code
// of SPEC.md in .code (the same code every binding reports).

import { ERROR_CODES } from './tables.gen.js';

/** The error codes, as strings (SPEC.md, "Error codes"), Internal last (a bug in Tether itself). */
export const ErrorCode = Object.freeze(Object.fromEntries(ERROR_CODES.map((c) => [c, c])));

export class TetherError extends Error {
  /**
   * @param {string} code one of ErrorCode
   * @param {string} message
   * @param {{fatal?: boolean}} [extra] sync errors say whether the session stopped
   */
  constructor(code, message, extra) {
    super(message);
    this.name = 'TetherError';
    this.code = code;
    if (extra && 'fatal' in extra) this.fatal = extra.fatal;
  }
}
