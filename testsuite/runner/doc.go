// Package runner runs conformance scenarios (../../../shared/conformance/SPEC.md,
// documented for this project in testsuite/README.md) against binding
// drivers: one driver process per scenario client, speaking JSON lines.
//
// The runner owns everything a binding must not decide for itself — the
// clock (`within`), the comparisons, the temporary directories and the
// sync server — so that every binding is judged by the same code.
//
// Files:
//   - scenario.go, step.go, vocab.go: parse and validate a scenario file
//   - driver.go (+ proc_*.go): one driver process and its request/response
//   - client.go: a scenario client (its process, open config, events)
//   - tetherd.go (+ tetherd_*.go): the scenario's sync server process,
//     its admin API and its tokens; server.go: the server steps
//   - exec.go, expect.go: perform one step, with within / expectError
//   - compare.go, render.go: the comparison rules and failure messages
//   - run.go, suite.go: one (scenario, binding) pair, and a whole directory
package runner
