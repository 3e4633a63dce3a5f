package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/amity-im/amity/client"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
)

// routes is everything the service serves over HTTP, one table a part, in
// the order they are matched: ZIM first, since all its calls go to "/" and
// are the busiest.
func (s *daemon) routes(zimSrv *zim.Server, tcSrv *tencent.Server, yxSrv *yunxin.Server, nativeCfg native.Config, moving migrate.Config, meter *metrics) []amityhttp.Table {
	return []amityhttp.Table{
		zimSrv.Routes(),
		tcSrv.Routes(),
		yxSrv.Routes(),
		native.Routes(nativeCfg),
		migrate.Routes(moving),
		console.Routes(s.consoleConfig(nativeCfg)),
		s.operations(meter),
	}
}

// openAPI are the surfaces' OpenAPI descriptions, by the name they are
// served under (/openapi/<name>.yaml).
var openAPI = map[string][]byte{"zim": zim.OpenAPI, "tencent": tencent.OpenAPI, "yunxin": yunxin.OpenAPI, "v1": native.OpenAPI}

// servedAt is an OpenAPI description whose first server is where r
// reached this instance (its Host, over TLS or not), so that a client
// generated or tried from it calls this instance; a vendor's own server
// stays listed after it.
func servedAt(doc []byte, r *http.Request) []byte {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	here := fmt.Sprintf("servers:\n  - url: %s://%s\n    description: this Amity instance\n", scheme, r.Host)
	i := bytes.Index(doc, []byte("\nservers:\n"))
	if i < 0 {
		return doc
	}
	rest := doc[i+len("\nservers:\n"):]
	var out bytes.Buffer
	out.Write(doc[:i+1])
	out.WriteString(here)
	// An Amity address written in the file gives way to the request's.
	if line, after, ok := bytes.Cut(rest, []byte("\n")); ok && bytes.Contains(line, []byte("127.0.0.1:8080")) {
		rest = after
	}
	out.Write(rest)
	return out.Bytes()
}

// operations is the table of what operators and tools read: health,
// metrics, and the surfaces' OpenAPI descriptions.
func (s *daemon) operations(meter *metrics) amityhttp.Table {
	get := func(path string, h http.Handler) amityhttp.Route {
		return amityhttp.Route{Method: http.MethodGet, Path: path, Handler: h}
	}
	t := amityhttp.Table{Name: "operations", Routes: []amityhttp.Route{
		get("/livez", http.HandlerFunc(s.health.live)),
		get("/readyz", http.HandlerFunc(s.health.ready)),
		get("/healthz", http.HandlerFunc(s.health.ready)),
		get("/metrics", meter.handler()),
		get("/asyncapi.yaml", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(client.AsyncAPI)
		})),
	}}
	for _, name := range slices.Sorted(maps.Keys(openAPI)) {
		doc := openAPI[name]
		t.Routes = append(t.Routes, get("/openapi/"+name+".yaml", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(servedAt(doc, r))
		})))
	}
	return t
}
