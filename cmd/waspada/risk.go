package main

import (
	"context"
	"errors"
)

func (a *app) cmdRisk(ctx context.Context, args []string) error {
	return errors.New("risk: not built yet")
}
