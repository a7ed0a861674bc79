// TetherError: every failure of the Tether API, with the conformance code
// of SPEC.md in .code (the same code every binding reports).

/** The error codes, as strings (SPEC.md, "Error codes"). */
export const ErrorCode = Object.freeze({
  InvalidArgument: 'InvalidArgument',
  SchemaMismatch: 'SchemaMismatch',
  UnknownClass: 'UnknownClass',
  UnknownProperty: 'UnknownProperty',
  WrongType: 'WrongType',
  MissingPrimaryKey: 'MissingPrimaryKey',
  DuplicateKey: 'DuplicateKey',
  NotFound: 'NotFound',
  QuerySyntax: 'QuerySyntax',
  Closed: 'Closed',
  Timeout: 'Timeout',
  ClientReset: 'ClientReset',
  AuthFailed: 'AuthFailed',
  PermissionDenied: 'PermissionDenied',
  ProtocolError: 'ProtocolError',
  Corrupted: 'Corrupted',
  IO: 'IO',
  /** A bug in Tether itself (not a conformance code). */
  Internal: 'Internal',
});

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
