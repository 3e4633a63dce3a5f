package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/amity-im/amity/domain"
)

// View reads one user's graph as Amity holds it, once Amity has applied
// the stream up to after, and which of named it has registered.
type View interface {
	View(ctx context.Context, app, user string, named []string, after uint64) (domain.Graph, map[string]bool, error)
}

// Model is the read model a ModelView reads.
type Model interface {
	Graph(app, user string) domain.Graph
	Registered(app, user string) bool
	WaitFollowed(ctx context.Context, seq uint64) error
}

// ModelView is a View of the service's own read model.
type ModelView struct{ Model Model }

// View implements View.
func (v ModelView) View(ctx context.Context, app, user string, named []string, after uint64) (domain.Graph, map[string]bool, error) {
	if err := v.Model.WaitFollowed(ctx, after); err != nil {
		return domain.Graph{}, nil, fmt.Errorf("wait for the read model: %w", err)
	}
	reg := map[string]bool{}
	for _, id := range named {
		if v.Model.Registered(app, id) {
			reg[id] = true
		}
	}
	return v.Model.Graph(app, user), reg, nil
}

// ViewRequest asks for a user's graph (domain.AdminGraph).
type ViewRequest struct {
	App   string   `json:"app"`
	User  string   `json:"user"`
	Named []string `json:"named,omitempty"`
	After uint64   `json:"after,omitempty"`
}

// ViewAnswer is the answer to a ViewRequest.
type ViewAnswer struct {
	Graph      domain.Graph `json:"graph"`
	Registered []string     `json:"registered,omitempty"`
	Error      string       `json:"error,omitempty"`
}

// AnswerView answers an encoded ViewRequest from v, for the apps known.
func AnswerView(ctx context.Context, v View, known func(app string) bool, data []byte) []byte {
	var req ViewRequest
	var ans ViewAnswer
	err := json.Unmarshal(data, &req)
	if err == nil && !known(req.App) {
		err = fmt.Errorf("no app %q", req.App)
	}
	if err == nil {
		var reg map[string]bool
		ans.Graph, reg, err = v.View(ctx, req.App, req.User, req.Named, req.After)
		ans.Registered = slices.Sorted(maps.Keys(reg))
	}
	if err != nil {
		ans = ViewAnswer{Error: err.Error()}
	}
	b, _ := json.Marshal(ans)
	return b
}

// RemoteView is a View of a service's read model reached by a request
// (domain.AdminGraph over NATS).
type RemoteView struct {
	Request func(ctx context.Context, data []byte) ([]byte, error)
}

// View implements View.
func (v RemoteView) View(ctx context.Context, app, user string, named []string, after uint64) (domain.Graph, map[string]bool, error) {
	data, _ := json.Marshal(ViewRequest{App: app, User: user, Named: named, After: after})
	out, err := v.Request(ctx, data)
	if err != nil {
		return domain.Graph{}, nil, fmt.Errorf("ask the service for %s's graph: %w", user, err)
	}
	var ans ViewAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		return domain.Graph{}, nil, fmt.Errorf("the service's graph of %s: %w", user, err)
	}
	if ans.Error != "" {
		return domain.Graph{}, nil, fmt.Errorf("the service's graph of %s: %s", user, ans.Error)
	}
	reg := make(map[string]bool, len(ans.Registered))
	for _, id := range ans.Registered {
		reg[id] = true
	}
	return ans.Graph, reg, nil
}
