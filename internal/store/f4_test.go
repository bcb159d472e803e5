package store

import (
	"math"
	"testing"
)

func TestUnpackFloat32s(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want []float32
		err  bool
	}{
		{"nil", nil, nil, false},
		{"empty", []byte{}, []float32{}, false},
		{"values", []byte{0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0, 0, 0, 0, 1}, []float32{1.5, -2.5, math.Float32frombits(1)}, false},
		{"ragged", []byte{0x3f, 0xc0, 0}, nil, true},
	} {
		got, err := UnpackFloat32s(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v, want error %v", tc.name, err, tc.err)
			continue
		}
		if (got == nil) != (tc.want == nil) || len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(tc.want[i]) {
				t.Errorf("%s: value %d = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}
