package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"

	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/auth"
)

const userUsage = `usage:
  waspada user add --username NAME --role ROLE [--province 21] [--kabupaten 21.71,21.01] [--password-file F]
  waspada user list
  waspada user disable|enable --username NAME
  waspada user passwd --username NAME [--password-file F]
  waspada user scope --username NAME --role ROLE [--province ..] [--kabupaten ..]
  waspada user token add --username NAME --name TOKEN_NAME [--expires 90d]
  waspada user token revoke --username NAME --name TOKEN_NAME

roles: admin (national), kanwil_head (one --province), intel_officer (--kabupaten list),
planner and partner (--province and/or --kabupaten). The password is read from
--password-file, else from standard input (prompted without echo on a terminal).`

func (a *app) cmdUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("%s", userUsage)
	}
	action, args := args[0], args[1:]
	if action == "token" {
		if len(args) == 0 {
			return usagef("%s", userUsage)
		}
		action, args = "token "+args[0], args[1:]
	}
	fs := a.flags("user " + action)
	username := fs.String("username", "", "account name")
	role := fs.String("role", "", "admin, kanwil_head, intel_officer, planner or partner")
	prov := fs.String("province", "", "comma-separated province codes (21)")
	kab := fs.String("kabupaten", "", "comma-separated kabupaten codes (21.71)")
	pwFile := fs.String("password-file", "", "read the password from this file (first line)")
	tokName := fs.String("name", "", "API token name")
	expires := fs.String("expires", "", "API token lifetime, e.g. 30d or 720h (default 90d; at most 3650d)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q\n%s", fs.Arg(0), userUsage)
	}
	if action != "list" && *username == "" {
		return usagef("--username is required\n%s", userUsage)
	}
	pool, err := a.openDB(ctx, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	st, err := auth.NewStore(pool)
	if err != nil {
		return err
	}
	name := strings.ToLower(strings.TrimSpace(*username))
	switch action {
	case "add":
		u := auth.User{Username: name, Role: access.Role(*role), Provinces: splitCodes(*prov), Kabupaten: splitCodes(*kab)}
		if err := auth.ValidateUsername(u.Username); err != nil {
			return usagef("%v", err)
		}
		if err := auth.ValidateScope(u.Role, u.Provinces, u.Kabupaten); err != nil {
			return usagef("%v", err)
		}
		pw, err := a.readPassword(*pwFile)
		if err != nil {
			return err
		}
		if _, err := st.AddUser(ctx, u, pw, auth.DefaultParams()); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "user %s added (%s)\n", u.Username, u.Principal())
	case "list":
		users, err := st.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tSCOPE\tSTATUS")
		for _, u := range users {
			scope := strings.Join(u.Principal().ScopeCodes(), ",")
			if u.Role == access.Admin {
				scope = "national"
			}
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, scope, status)
		}
		return tw.Flush()
	case "disable", "enable":
		if err := st.SetDisabled(ctx, name, action == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "user %s %sd\n", name, action)
	case "passwd":
		pw, err := a.readPassword(*pwFile)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, name, pw, auth.DefaultParams()); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "password of %s changed; its sessions were ended\n", name)
	case "scope":
		if err := st.SetScope(ctx, name, access.Role(*role), splitCodes(*prov), splitCodes(*kab)); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "user %s is now %s %s; its sessions were ended\n", name, *role, strings.Join(append(splitCodes(*prov), splitCodes(*kab)...), ","))
	case "token add":
		var exp time.Time
		if *expires != "" {
			d, err := parseLifetime(*expires)
			if err != nil {
				return usagef("--expires: %v", err)
			}
			exp = time.Now().Add(d)
		}
		tok, err := st.CreateToken(ctx, name, *tokName, exp)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "API token %q for %s (shown once; send it as \"Authorization: Bearer <token>\"):\n", *tokName, name)
		fmt.Fprintln(a.stdout, tok)
	case "token revoke":
		if err := st.RevokeToken(ctx, name, *tokName); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "token %s of %s revoked\n", *tokName, name)
	default:
		return usagef("unknown user action %q\n%s", action, userUsage)
	}
	return nil
}

func splitCodes(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func parseLifetime(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err != nil || n <= 0 || n > 3650 {
			return 0, errors.New("want a number of days, e.g. 90d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("want e.g. 90d or 720h")
	}
	return d, nil
}

// readPassword reads the first line of file, or of standard input; on a
// terminal it prompts twice with echo off.
func (a *app) readPassword(file string) (string, error) {
	var pw string
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read password file: %w", err)
		}
		pw, _, _ = strings.Cut(string(b), "\n")
	case isTerminal(os.Stdin):
		p1, err := promptNoEcho(a.stderr, "Kata sandi / Password: ")
		if err != nil {
			return "", err
		}
		p2, err := promptNoEcho(a.stderr, "Ulangi / Repeat: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", errors.New("the passwords differ")
		}
		pw = p1
	default:
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		pw = line
	}
	pw = strings.TrimRight(pw, "\r\n")
	if err := auth.CheckPasswordPolicy(pw); err != nil {
		return "", usagef("%v", err)
	}
	return pw, nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func promptNoEcho(w io.Writer, prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", err
	}
	noEcho := *old
	noEcho.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old) //nolint:errcheck
	fmt.Fprint(w, prompt)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	fmt.Fprintln(w)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
