package main

import (
	"context"
	"errors"
)

func (a *app) cmdServe(ctx context.Context, args []string) error {
	return errors.New("serve: not built yet")
}
