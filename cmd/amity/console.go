package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/http/native"
)

// consoleConfig wires the web console to this instance: its admins are the
// apps file's admin NATS users.
func (s *daemon) consoleConfig(nativeCfg native.Config) console.Config {
	var admins []console.Admin
	for _, u := range s.cfg.users {
		if u.Admin {
			admins = append(admins, console.Admin{User: u.Name, Password: u.Password})
		}
	}
	return console.Config{
		Apps:   s.cfg.apps,
		Admins: admins,
		// The proxies in front, whose forwarded client and scheme count.
		TrustedProxies: s.f.proxies,
		Read:           s.model,
		History:        nativeCfg.Query,
		Status: func(context.Context) any {
			d := s.health.detail()
			_, _, dead := s.health.probed()
			size := s.model.Size()
			return struct {
				healthDetail
				Users             int    `json:"users"`
				Edges             int    `json:"edges"`
				Blocks            int    `json:"blocks"`
				HistoryIndexBytes int    `json:"history_index_bytes"`
				DeadLetters       uint64 `json:"dead_letters"`
			}{d, size.Users, size.Edges, size.Blocks, s.model.HistoryBytes(), dead}
		},
		DeadLetters: func(ctx context.Context, app string) ([]json.RawMessage, error) {
			recs, err := s.store.DeadLetters(ctx, app)
			out := make([]json.RawMessage, len(recs))
			for i, r := range recs {
				out[i] = r.Data
			}
			return out, err
		},
		Replay: func(ctx context.Context, app string) (int, int, error) {
			recs, err := s.store.DeadLetters(ctx, app)
			if err != nil {
				return 0, 0, err
			}
			return replayDeadLetters(ctx, s.store, s.cfg, recs, func(string, ...any) {})
		},
		Feed: func(ctx context.Context, app string, fn func(uint64, domain.Event)) error {
			filters := []string{domain.RelationFilter(app), domain.UserFilter(app)}
			return s.store.FollowSubjects(ctx, s.model.Followed()+1, filters, func(r domain.Record) error {
				c, err := domain.DecodeRecord(r)
				if err != nil {
					return nil // skipped, as by every reader
				}
				for _, ev := range c.Events {
					fn(r.Seq, ev)
				}
				return nil
			})
		},
		Activity: s.activity,
		Stopping: s.stopping,
		Logger:   s.logger,
	}
}

// replayDeadLetters sends each parked delivery of recs once more to its
// app's callback in cfg and drops it from the dead-letter stream when the
// backend takes it; logf tells of each that stays.
func replayDeadLetters(ctx context.Context, store *eventstore.Store, cfg config, recs []domain.Record, logf func(format string, args ...any)) (delivered, parked int, err error) {
	byName := map[string]*domain.App{}
	for _, a := range cfg.apps {
		byName[a.Name] = a
	}
	sender := newSender(&http.Client{Timeout: 30 * time.Second}, cfg)
	for _, r := range recs {
		var d delivery.Delivery
		if err := json.Unmarshal(r.Data, &d); err != nil {
			logf("dead letter %d: %v\n", r.Seq, err)
			parked++
			continue
		}
		a := byName[d.App]
		if a == nil || a.Callback == nil {
			logf("dead letter %d: app %q has no callback in the config\n", r.Seq, d.App)
			parked++
			continue
		}
		if err := sender.Send(ctx, a, d); err != nil {
			logf("dead letter %d (%s %s): %v\n", r.Seq, d.App, d.Command, err)
			parked++
			continue
		}
		if err := store.DropDeadLetter(ctx, r.Seq); err != nil {
			return delivered, parked, fmt.Errorf("drop dead letter %d: %w", r.Seq, err)
		}
		delivered++
	}
	return delivered, parked, nil
}
