package store

import (
	"encoding/binary"
	"fmt"
	"math"
)

// UnpackFloat32s decodes one of risk_hex's packed number columns (factor
// values, contributions): big-endian float32s, 4 bytes each, in factor order
// (migrations/008_risk_hexagon.sql says why they are packed). nil stays nil.
func UnpackFloat32s(b []byte) ([]float32, error) {
	if b == nil {
		return nil, nil
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("packed float32s: %d bytes is not a whole number of values", len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.BigEndian.Uint32(b[4*i:]))
	}
	return out, nil
}
