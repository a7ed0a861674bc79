// Package robustness holds the tests that SIGKILL a child process (the
// test binary itself, in a child mode entered from TestMain) in the middle
// of writes, a client reset or uploads, and check what a restart finds.
// They live apart so that no other test binary carries child hooks.
package robustness
