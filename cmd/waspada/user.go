package main

import (
	"context"
	"errors"
)

func (a *app) cmdUser(ctx context.Context, args []string) error {
	return errors.New("user: not built yet")
}
