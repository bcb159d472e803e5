package auth

import "testing"

// BenchmarkHashDefault is the cost of one login's password check.
func BenchmarkHashDefault(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := HashPassword("correct horse battery", DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
}
