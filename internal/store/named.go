package store

import (
	"bufio"
	"fmt"
	"io/fs"
	"strings"
)

// Named is a set of SQL statements loaded from .sql files in which each statement
// is introduced by a line "-- name: some_name". Keeping SQL in files (rather than
// strings scattered through Go code) lets it be read, reviewed and EXPLAINed as SQL.
type Named map[string]string

// LoadNamed parses every file matching pattern in fsys.
func LoadNamed(fsys fs.FS, pattern string) (Named, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("named queries: no file matches %q", pattern)
	}
	out := Named{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if err := out.parse(f, string(b)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (n Named) parse(file, text string) error {
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		q := strings.TrimSpace(body.String())
		if q == "" {
			return fmt.Errorf("%s: query %q is empty", file, name)
		}
		if _, dup := n[name]; dup {
			return fmt.Errorf("%s: query %q defined twice", file, name)
		}
		n[name] = strings.TrimSuffix(q, ";")
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(rest)
			continue
		}
		if name != "" {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}

// Get returns the named query; a missing name is a programming error caught by
// each package's tests, so it panics rather than returning an error at every call.
func (n Named) Get(name string) string {
	q, ok := n[name]
	if !ok {
		panic("named query not found: " + name)
	}
	return q
}
