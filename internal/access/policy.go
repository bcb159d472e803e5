package access

import (
	"slices"
	"strings"
)

// Tool is one of the decision tools built on the risk map.
type Tool string

const (
	ToolBrief     Tool = "brief"     // the kanwil brief for the Rakor Timpora (PDF)
	ToolOperation Tool = "operation" // the joint-operation planner: targets, teams, routes
	ToolSites     Tool = "sites"     // the desa binaan site planner
)

// Tools lists every tool in the order the front end offers them.
func Tools() []Tool { return []Tool{ToolBrief, ToolOperation, ToolSites} }

// ToolRoles is the one table of who may use which tool; the server enforces it
// on every route of the tool and the front end offers only these tools.
//
//   - The brief is a head of office's document: kanwil heads and admins.
//   - The operation planner lists single residents, hotels and worksites by
//     name, so it is for roles with personal-data rights: intel officers (in
//     their kabupaten) and admins. It has no aggregate mode: a planner that
//     answers "n groups withheld inside this polygon" is an oracle.
//   - The site planner works on the published risk surface only: planners,
//     kanwil heads and admins.
func ToolRoles(t Tool) []Role {
	switch t {
	case ToolBrief:
		return []Role{Admin, KanwilHead}
	case ToolOperation:
		return []Role{Admin, IntelOfficer}
	case ToolSites:
		return []Role{Admin, KanwilHead, Planner}
	}
	return nil
}

// MayUse reports whether the principal's role may use the tool.
func (p Principal) MayUse(t Tool) bool { return slices.Contains(ToolRoles(t), p.Role) }

// UsableTools lists the tools the principal may use (for /api/me).
func (p Principal) UsableTools() []Tool {
	var out []Tool
	for _, t := range Tools() {
		if p.MayUse(t) {
			out = append(out, t)
		}
	}
	return out
}

// Policy is what a route declares beside its registration: who may call it
// and whether its answers may carry personal data.
type Policy struct {
	// Public routes are served without signing in (login page, health checks).
	Public bool
	// Roles that may call the route; empty means every signed-in role.
	Roles []Role
	// Personal routes may return personal data (to principals whose
	// CanSeePersonal allows it); they record an audit row before sending it.
	// Every other route returns only published aggregates and public data.
	Personal bool
	// Tool names the tool the route belongs to, if any (Roles then follow ToolRoles).
	Tool Tool
}

// SignedIn is the policy of a route any signed-in user may call and that
// returns only published aggregates and public data.
func SignedIn() Policy { return Policy{} }

// PublicRoute is the policy of a route served without signing in.
func PublicRoute() Policy { return Policy{Public: true} }

// AdminOnly is the policy of an administrators' route.
func AdminOnly() Policy { return Policy{Roles: []Role{Admin}, Personal: true} }

// ForTool is the policy of a tool's route.
func ForTool(t Tool, personal bool) Policy {
	return Policy{Roles: ToolRoles(t), Personal: personal, Tool: t}
}

// Allows reports whether a signed-in principal may call a route with this
// policy (anonymous callers reach only public routes).
func (pol Policy) Allows(p Principal) bool {
	return pol.Public || len(pol.Roles) == 0 || slices.Contains(pol.Roles, p.Role)
}

// Describe says in words who may call the route (for the README's table and
// the 403 message).
func (pol Policy) Describe() string {
	switch {
	case pol.Public:
		return "anyone"
	case len(pol.Roles) == 0:
		return "every signed-in role"
	}
	names := make([]string, len(pol.Roles))
	for i, r := range pol.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
