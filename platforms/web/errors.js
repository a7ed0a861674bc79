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

/**
 * The ClientReset error a sync session reports (onError) when the app
 * must act: manual mode, or an automatic mode that fell back to it.
 * Recognisable as Realm JS apps check theirs (name 'ClientResetError',
 * instanceof ClientResetError; .code is 'ClientReset' as in every
 * binding), and like Realm's it carries .config: a configuration
 * Tether.open takes to open the backup, read-only. In manual mode the
 * backup exists once the reset is executed (Tether.executeClientReset on
 * .originalPath, every instance closed, or the next open).
 */
export class ClientResetError extends TetherError {
  /**
   * @param {string} message
   * @param {{fatal?: boolean, backupPath?: string, originalPath?: string | null}} [extra]
   */
  constructor(message, extra = {}) {
    super('ClientReset', message, 'fatal' in extra ? { fatal: extra.fatal } : undefined);
    this.name = 'ClientResetError';
    /** Where the database as it was before the reset is (or will be) kept. */
    this.backupPath = extra.backupPath ?? null;
    /** The database the reset is for (null in memory). */
    this.originalPath = extra.originalPath ?? null;
    /** Tether.open(error.config) opens the backup, read-only. */
    this.config = this.backupPath ? { path: this.backupPath, readOnly: true } : null;
  }
}
