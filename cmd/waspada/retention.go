package main

import (
	"context"
	"fmt"
	"time"

	"github.com/waspada-id/waspada/internal/importlog"
	"github.com/waspada-id/waspada/internal/oplog"
	"github.com/waspada-id/waspada/internal/retention"
)

const retentionUsage = `usage:
  waspada retention policy [--hotel-months N] [--resident-months N] [--by NAME]   show or set the policy
  waspada retention apply [--dry-run] [--as-of YYYY-MM-DD] [--by NAME]             pseudonymise stays past the policy`

func (a *app) cmdRetention(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("%s", retentionUsage)
	}
	action, args := args[0], args[1:]
	fs := a.flags("retention " + action)
	by := fs.String("by", "", "who runs it, for the audit log (default: the OS account)")
	var hotel, res *int
	var dry *bool
	var asOf *string
	switch action {
	case "policy":
		hotel = fs.Int("hotel-months", 0, "months a hotel stay keeps its identity after check-out")
		res = fs.Int("resident-months", 0, "months a residence keeps its identity after the permit ended")
	case "apply":
		dry = fs.Bool("dry-run", false, "count what would be pseudonymised, change nothing")
		asOf = fs.String("as-of", "", "apply the policy as of this day (default today)")
	default:
		return usagef("unknown retention action %q\n%s", action, retentionUsage)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q\n%s", fs.Arg(0), retentionUsage)
	}
	actor := oplog.Actor{Name: *by}
	if actor.Name == "" {
		actor.Name = importlog.Operator()
	}
	var day time.Time
	if action == "apply" && *asOf != "" {
		var err error
		if day, err = time.Parse("2006-01-02", *asOf); err != nil {
			return usagef("--as-of %q: want YYYY-MM-DD", *asOf)
		}
	}
	if action == "policy" && (*hotel < 0 || *res < 0) {
		return usagef("retention periods are positive numbers of months")
	}
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if action == "policy" {
		p, err := retention.Get(ctx, pool)
		if err != nil {
			return err
		}
		if *hotel != 0 || *res != 0 {
			if *hotel != 0 {
				p.HotelStayMonths = *hotel
			}
			if *res != 0 {
				p.ResidentMonths = *res
			}
			if err := p.Validate(); err != nil {
				return usagef("%v", err)
			}
			if err := retention.Set(ctx, pool, p, actor); err != nil {
				return err
			}
			if p, err = retention.Get(ctx, pool); err != nil {
				return err
			}
		}
		fmt.Fprintf(a.stdout, "hotel stays keep names and passports for %d months after check-out; residences for %d months after the permit ended (set %s by %s)\n",
			p.HotelStayMonths, p.ResidentMonths, p.UpdatedAt.UTC().Format("2006-01-02 15:04"), p.UpdatedBy)
		return nil
	}
	rep, err := retention.Apply(ctx, pool, day, *dry, actor)
	if err != nil {
		return err
	}
	verb := "pseudonymised"
	if rep.DryRun {
		verb = "would be pseudonymised (dry run, nothing changed)"
	}
	fmt.Fprintf(a.stdout, "retention as of %s (hotel stays %d months, residences %d months):\n", rep.AsOf.Format("2006-01-02"), rep.Policy.HotelStayMonths, rep.Policy.ResidentMonths)
	fmt.Fprintf(a.stdout, "  %d hotel stays that ended before %s %s\n", rep.HotelStays, rep.HotelCutoff.Format("2006-01-02"), verb)
	fmt.Fprintf(a.stdout, "  %d residences whose permit ended before %s %s\n", rep.Residences, rep.ResidentCutoff.Format("2006-01-02"), verb)
	fmt.Fprintf(a.stdout, "  %d names and passports %s\n", rep.Identities, map[bool]string{true: "would be deleted", false: "deleted"}[rep.DryRun])
	if !rep.DryRun {
		fmt.Fprintf(a.stdout, "  %d copies kept for import undo scrubbed, %d data subjects unlinked from the audit log (run #%d, audited)\n",
			rep.UndoCopies, rep.SubjectsUnlinks, rep.RunID)
	}
	return nil
}
