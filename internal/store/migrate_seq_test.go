package store

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSequential(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string // the names tern sees, in order, or the error
	}{
		{"ranges with gaps", []string{"001_a.sql", "002_b.sql", "030_undo.sql", "031_ret.sql", "040_form.sql", "embed.go"},
			"001_a.sql 002_b.sql 003_undo.sql 004_ret.sql 005_form.sql"},
		{"already sequential", []string{"001_a.sql", "002_b.sql"}, "001_a.sql 002_b.sql"},
		{"order by number, not by name", []string{"010_z.sql", "9_a.sql"}, "001_a.sql 002_z.sql"},
		{"same number twice", []string{"001_a.sql", "030_x.sql", "030_y.sql"}, "two migrations numbered 30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := fstest.MapFS{}
			for _, f := range tc.files {
				src[f] = &fstest.MapFile{Data: []byte("-- " + f)}
			}
			out, err := sequential(src)
			if err != nil {
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			ents, err := fs.ReadDir(out, ".")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			// Each keeps its own content.
			b, _ := fs.ReadFile(out, names[len(names)-1])
			if !strings.HasSuffix(string(b), strings.SplitN(names[len(names)-1], "_", 2)[1]) {
				t.Errorf("content of %s is %q", names[len(names)-1], b)
			}
		})
	}
}
