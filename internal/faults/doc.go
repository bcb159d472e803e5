// Package faults holds the fault-injection tests of the whole service: the
// database is stopped and restarted under load, and the server must answer
// only 503 while it is down, recover by itself when it is back, and never
// answer 500. It has no code of its own; see fault_test.go.
package faults
