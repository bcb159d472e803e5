package store

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"testing/fstest"
)

var migrationName = regexp.MustCompile(`^(\d+)_(.+\.sql)$`)

// sequential presents the migrations of fsys numbered 1, 2, 3, ... in the
// order of their file numbers. tern wants numbers without gaps; engineers
// working in parallel take ranges of numbers (030–039, 040–049) so that their
// files never collide, which leaves gaps. Applied versions stay meaningful as
// long as a new migration never sorts before one already applied somewhere.
func sequential(fsys fs.FS) (fs.FS, error) {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	type mig struct {
		n    int
		name string
		rest string
	}
	var ms []mig
	for _, e := range ents {
		m := migrationName.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return nil, err
		}
		ms = append(ms, mig{n, e.Name(), m[2]})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].n < ms[j].n })
	out := fstest.MapFS{}
	for i, m := range ms {
		if i > 0 && ms[i-1].n == m.n {
			return nil, fmt.Errorf("two migrations numbered %d: %s and %s", m.n, ms[i-1].name, m.name)
		}
		b, err := fs.ReadFile(fsys, m.name)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%03d_%s", i+1, m.rest)] = &fstest.MapFile{Data: b, Mode: 0o444}
	}
	return out, nil
}
