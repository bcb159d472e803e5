// Package attack holds the attacker suite (tests only): what a role without
// personal-data rights receives from the real server (internal/app) must be a
// function of published base cells and public data. The indistinguishability
// test snapshots every answer such a role can get over a broad request list,
// changes withheld base cells (a resident added to an empty cell, one removed
// from a cell of three, a nationality and an expiry date changed, a worksite's
// small count of foreign workers changed), recomputes the risk run, and
// requires the second snapshot to equal the first. Scripted attacks (contribution
// inversion, the planner's shrinking box) run against the same server.
package attack
