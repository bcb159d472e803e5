package main

import (
	"context"
	"errors"
)

func (a *app) cmdGenerate(ctx context.Context, args []string) error {
	return errors.New("generate: not built yet")
}
