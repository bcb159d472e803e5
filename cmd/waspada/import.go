package main

import (
	"context"
	"errors"
)

func (a *app) cmdImport(ctx context.Context, args []string) error {
	return errors.New("import: not built yet")
}
