// Package matrix holds the role × route × layer access test: the whole server
// (authentication, audit, tiles and every API route on the router) against a
// PostGIS fixture, asked by every role inside and outside its scope. It has no
// code of its own; see matrix_test.go.
package matrix
