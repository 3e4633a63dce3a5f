package http

import (
	nethttp "net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"
)

// Route is one operation a table serves.
type Route struct {
	// Method is the HTTP method the operation takes ("": any).
	Method string
	// Path is where it is served: a gorilla/mux path template, or with
	// Prefix every path below it.
	Path   string
	Prefix bool
	// Action picks the route among the routes of one Path by the value of
	// its table's Dispatch parameter (ZIM's Action); the routes of a path
	// either all have one or none has.
	Action string
	// Metric names the operation in /metrics and the request log ("" for
	// routes that are not counted there).
	Metric string
	// Limit is the route's rate-limit class, in the surface's own terms
	// ("" for none).
	Limit string
	// Handler answers the operation's calls.
	Handler nethttp.Handler
}

// Table is everything one part of the service serves: a surface's routes,
// and how it answers the calls none of them takes.
type Table struct {
	// Name is the surface's name ("zim", "tencent", "v1", ...): the
	// surface label of /metrics.
	Name string
	// Dispatch names the query parameter that picks among the routes of
	// one path (ZIM's "Action"); "" when each route has a path of its own.
	Dispatch string
	// NotFoundPrefix: a call below it that no route takes goes to
	// NotFound, in the surface's own format.
	NotFoundPrefix string
	// NotFound answers a call of the table's that names no route: an
	// unknown path below NotFoundPrefix, or an unknown or missing value of
	// Dispatch.
	NotFound nethttp.Handler
	// WrongMethod answers a call of a route's path (and action) with
	// another method than the route's, in the surface's own format; nil:
	// 405 with an Allow header.
	WrongMethod func(Route) nethttp.Handler
	Routes      []Route
}

// Operations lists the table's routes as "METHOD path" (with the action:
// "METHOD path?Dispatch=Action"), sorted: what an OpenAPI description of
// the table must name.
func (t Table) Operations() []string {
	ops := make([]string, 0, len(t.Routes))
	for _, rt := range t.Routes {
		op := rt.Method + " " + rt.Path
		if rt.Action != "" {
			op += "?" + t.Dispatch + "=" + rt.Action
		}
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// NewHandler serves every table: a path served by two tables is the
// first's, and an exact path (no template, no prefix) is looked up before
// any template or prefix is matched, as the busiest calls are. Each path
// (and, with Dispatch, each action) is one handler that picks its route by
// method.
func NewHandler(tables ...Table) nethttp.Handler {
	h := &handler{exact: map[string]nethttp.Handler{}, rest: mux.NewRouter()}
	for _, t := range tables {
		t.mount(h)
	}
	return h
}

// handler finds a call's route: an exact path in a map, the rest with
// gorilla/mux (templates, prefixes, and the cleaning of unclean paths).
type handler struct {
	exact map[string]nethttp.Handler
	rest  *mux.Router
}

func (h *handler) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	if eh := h.exact[r.URL.Path]; eh != nil {
		eh.ServeHTTP(w, r)
		return
	}
	h.rest.ServeHTTP(w, r)
}

// QueryHandler is a route's handler that can take the query its caller
// already parsed (a dispatching table parses it to find the action).
type QueryHandler interface {
	nethttp.Handler
	ServeQuery(w nethttp.ResponseWriter, r *nethttp.Request, q *Query)
}

func (t Table) mount(r *handler) {
	type key struct {
		path   string
		prefix bool
	}
	var order []key
	groups := map[key][]Route{}
	for _, rt := range t.Routes {
		k := key{rt.Path, rt.Prefix}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], rt)
	}
	for _, k := range order {
		var h nethttp.Handler
		if t.Dispatch != "" && groups[k][0].Action != "" {
			h = t.dispatcher(groups[k])
		} else {
			h = t.byMethod(groups[k])
		}
		switch {
		case k.prefix:
			r.rest.PathPrefix(k.path).Handler(h)
		case !strings.Contains(k.path, "{"):
			if r.exact[k.path] == nil {
				r.exact[k.path] = h
			}
		default:
			r.rest.Handle(k.path, h)
		}
	}
	if t.NotFoundPrefix != "" && t.NotFound != nil {
		r.rest.PathPrefix(t.NotFoundPrefix).Handler(t.NotFound)
	}
}

// byMethod serves routes of one path: each method to its route, any other
// to WrongMethod.
func (t Table) byMethod(routes []Route) nethttp.Handler {
	if len(routes) == 1 && routes[0].Method == "" {
		return routes[0].Handler
	}
	if len(routes) == 1 && t.WrongMethod != nil {
		rt, wrong := routes[0], t.WrongMethod(routes[0])
		return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			if r.Method == rt.Method {
				rt.Handler.ServeHTTP(w, r)
				return
			}
			wrong.ServeHTTP(w, r)
		})
	}
	methods := map[string]nethttp.Handler{}
	var allow []string
	for _, rt := range routes {
		methods[rt.Method] = rt.Handler
		allow = append(allow, rt.Method)
	}
	wrong := nethttp.Handler(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, _ *nethttp.Request) {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		nethttp.Error(w, nethttp.StatusText(nethttp.StatusMethodNotAllowed), nethttp.StatusMethodNotAllowed)
	}))
	if t.WrongMethod != nil {
		wrong = t.WrongMethod(routes[0])
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if h := methods[r.Method]; h != nil {
			h.ServeHTTP(w, r)
			return
		}
		if h := methods[""]; h != nil {
			h.ServeHTTP(w, r)
			return
		}
		wrong.ServeHTTP(w, r)
	})
}

// dispatcher serves routes of one path by the value of t.Dispatch: an
// action's calls go to its route whatever their method (a dispatching
// surface checks the method where its vendor does), an unknown or missing
// action to NotFound.
func (t Table) dispatcher(routes []Route) nethttp.Handler {
	actions := map[string]nethttp.Handler{}
	for _, rt := range routes {
		actions[rt.Action] = rt.Handler
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		q := ParseQuery(r.URL.RawQuery)
		h := actions[q.Get(t.Dispatch)]
		if h == nil {
			h = t.NotFound
		}
		if qh, ok := h.(QueryHandler); ok {
			qh.ServeQuery(w, r, q)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Handler serves the table alone: for a test, or a server of one surface.
func (t Table) Handler() nethttp.Handler { return NewHandler(t) }
