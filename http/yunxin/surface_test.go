package yunxin_test

import (
	"net/http/httptest"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/internal/testenv"
)

// surface serves apps' Yunxin surface on a core of its own.
func surface(t *testing.T, apps ...*yunxin.App) (*testenv.Core, string) {
	t.Helper()
	core := testenv.Start(t)
	srv := httptest.NewServer(yunxin.New(core.Deps(), apps...).Routes().Handler())
	t.Cleanup(srv.Close)
	return core, srv.URL
}

// The apps of the tests: demo, another beside it that must see none of
// its data, and one with a rate of two calls a second.
func apps() (demo, other, slow *yunxin.App) {
	return &yunxin.App{App: &domain.App{Name: "demo", MaxBlocked: yunxin.MaxList}, AppKey: "demo-key", AppSecret: "demo-secret", QPS: 1_000_000},
		&yunxin.App{App: &domain.App{Name: "other"}, AppKey: "other-key", AppSecret: "other-secret", QPS: 1_000_000},
		&yunxin.App{App: &domain.App{Name: "slow"}, AppKey: "slow-key", AppSecret: "slow-secret", QPS: 2}
}
