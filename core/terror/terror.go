// Package terror defines Tether's error type: every error a user can meet
// carries one of the conformance codes of SPEC.md, so that every binding
// (Go, C, JavaScript, Java) reports the same code for the same mistake.
package terror

import (
	"errors"
	"fmt"
)

// Code is one of the error codes fixed by the conformance contract.
type Code string

// The conformance error codes (SPEC.md, "Error codes").
const (
	InvalidArgument   Code = "InvalidArgument"
	SchemaMismatch    Code = "SchemaMismatch"
	UnknownClass      Code = "UnknownClass"
	UnknownProperty   Code = "UnknownProperty"
	WrongType         Code = "WrongType"
	MissingPrimaryKey Code = "MissingPrimaryKey"
	DuplicateKey      Code = "DuplicateKey"
	NotFound          Code = "NotFound"
	QuerySyntax       Code = "QuerySyntax"
	Closed            Code = "Closed"
	Timeout           Code = "Timeout"
	ClientReset       Code = "ClientReset"
	AuthFailed        Code = "AuthFailed"
	PermissionDenied  Code = "PermissionDenied"
	ProtocolError     Code = "ProtocolError"
	Corrupted         Code = "Corrupted"
	IO                Code = "IO"
	// CompensatingWrite: the server refused some of the writes of an
	// upload (flexible sync's rules or view); not fatal.
	CompensatingWrite Code = "CompensatingWrite"
	// Internal marks a bug in Tether itself (a recovered panic); it is not a
	// conformance code and no scenario expects it.
	Internal Code = "Internal"
	// Canceled: a Go wait whose context was canceled (the context-taking
	// waits of core/session). Not a conformance code: no binding meets it.
	Canceled Code = "Canceled"
)

// AllCodes lists the conformance codes in SPEC.md order; bindings use it to
// build their own enumerations.
var AllCodes = []Code{InvalidArgument, SchemaMismatch, UnknownClass, UnknownProperty,
	WrongType, MissingPrimaryKey, DuplicateKey, NotFound, QuerySyntax, Closed, Timeout,
	ClientReset, AuthFailed, PermissionDenied, ProtocolError, Corrupted, IO, CompensatingWrite}

// Error is an error with a conformance code.
type Error struct {
	Code    Code
	Message string
	// Pos is the byte offset of a query syntax error (QuerySyntax only), else -1.
	Pos   int
	Cause error
}

func (e *Error) Error() string {
	return string(e.Code) + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Error makes a Code an error value, so that Go code can ask
// errors.Is(err, terror.NotFound) as it would of any sentinel error.
func (c Code) Error() string { return string(c) }

// Is reports whether target is this error's code (errors.Is(err, code)).
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && e.Code == c
}

// New returns an error with the given code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Pos: -1}
}

// Wrap returns an error with the given code whose cause is err.
func Wrap(code Code, err error, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if err != nil {
		msg += ": " + err.Error()
	}
	return &Error{Code: code, Message: msg, Pos: -1, Cause: err}
}

// CodeOf returns the conformance code of err, or "" for nil. An error
// without a code (which would be a Tether bug) reports Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var te *Error
	if errors.As(err, &te) {
		return te.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
