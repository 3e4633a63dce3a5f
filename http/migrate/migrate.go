// Package migrate moves an app's relationship chain from a vendor into
// Amity and keeps the two in step while the app switches: it reads each
// user's graph from the vendor (a Source of the vendor's surface package),
// compares it with Amity's read model, and records the differences as
// migrated changes (domain.SurfaceMigrate), which keep the vendor's times
// and send no webhooks. Copy, verify, repair and Tencent's callbacks all
// run one user at a time through a Syncer, so each is idempotent: what
// already matches records nothing.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// Mode is what a sync does with the differences it finds.
type Mode int

const (
	// Verify only reports them.
	Verify Mode = iota
	// Copy records what the vendor holds and Amity lacks or holds
	// otherwise, and leaves what only Amity holds.
	Copy
	// Repair makes Amity hold exactly what the vendor holds.
	Repair
)

// Syncer compares and syncs single users of one app.
type Syncer struct {
	App    *domain.App
	Source amityhttp.Source
	Writer amityhttp.Executor
	// Amity reads the graphs as Amity holds them.
	Amity View
	NewID func() string

	// written is the last stream sequence Writer answered with: what a
	// user's graph is read after.
	written atomic.Uint64
}

// Outcome is what one user's sync found and did.
type Outcome struct {
	User string
	// Unknown: the vendor does not know the user.
	Unknown bool
	// Differences are those found before any change.
	Differences []domain.Difference
	// Recorded counts the changes recorded; Edges the friends, blocks and
	// follows the vendor holds for the user.
	Recorded, Edges int
	// Problems are the changes Amity refused, each with its reason.
	Problems []string
}

// ErrUnknownUser is a user the vendor does not know.
var ErrUnknownUser = errors.New("not known at the vendor")

// Sync reads user's graph at the vendor and in Amity, and, as mode says,
// makes Amity's the vendor's. A vendor the user is unknown to leaves Amity
// as it is. The error is the vendor's (Amity's refusals are Problems).
func (s *Syncer) Sync(ctx context.Context, user string, mode Mode) (Outcome, error) {
	vg, err := s.Source.Read(ctx, user)
	if err != nil {
		return Outcome{User: user}, err
	}
	return s.Apply(ctx, vg, mode)
}

// Apply compares vg, a user's graph read from the vendor, with Amity's,
// and, as mode says, makes Amity's the same.
func (s *Syncer) Apply(ctx context.Context, vg domain.Graph, mode Mode) (Outcome, error) {
	user := vg.User
	out := Outcome{User: user}
	if !vg.Known {
		out.Unknown = true
		return out, nil
	}
	out.Edges = len(vg.Friends) + len(vg.Blocks) + len(vg.Follows)
	var named []string // the users a plan may register: none to verify
	if mode != Verify {
		named = append(slices.Collect(maps.Keys(vg.Friends)), slices.Collect(maps.Keys(vg.Blocks))...)
		named = append(append(named, slices.Collect(maps.Keys(vg.Follows))...), user)
	}
	ag, reg, err := s.Amity.View(ctx, s.App.Name, user, named, s.written.Load())
	if err != nil {
		return out, err
	}
	vendor, amity := s.Source.Normalize(vg), s.Source.Normalize(ag)
	out.Differences = domain.Compare(vendor, amity)
	if mode == Verify || len(out.Differences) == 0 {
		return out, nil
	}
	registered := func(id string) bool { return reg[id] }
	for _, step := range domain.Plan(vendor, amity, registered, mode == Repair) {
		meta := domain.Meta{RequestID: s.NewID(), Surface: domain.SurfaceMigrate}
		var last uint64
		for i, r := range s.Writer.Execute(ctx, s.App, meta, step...) {
			switch {
			case r.Err == nil && r.Event != nil:
				out.Recorded++
				last = max(last, r.Seq)
			case r.Err != nil && !errors.Is(r.Err, domain.ErrUserExists):
				// A user registered meanwhile is as good as one registered here.
				out.Problems = append(out.Problems, fmt.Sprintf("%s: %v", describe(step[i]), r.Err))
			}
		}
		for w := s.written.Load(); last > w && !s.written.CompareAndSwap(w, last); w = s.written.Load() {
		}
	}
	return out, nil
}

// describe names a command of a plan for a report.
func describe(c domain.Command) string {
	switch c := c.(type) {
	case domain.RegisterUser:
		return "register " + c.User
	case domain.UpdateProfile:
		return "profile of " + c.User
	case domain.AddFriendGroups:
		return fmt.Sprintf("groups %q", c.Groups)
	case domain.DeleteFriendGroups:
		return fmt.Sprintf("delete groups %q", c.Groups)
	case domain.ImportFriend:
		return "friend " + c.Friend
	case domain.DeleteFriend:
		return "delete friend " + c.Friend
	case domain.BlockUser:
		return "block " + c.Target
	case domain.UnblockUser:
		return "unblock " + c.Target
	case domain.FollowUser:
		return "follow " + c.Target
	case domain.UnfollowUser:
		return "unfollow " + c.Target
	case domain.MuteUser:
		return "mute " + c.Target
	case domain.UnmuteUser:
		return "unmute " + c.Target
	}
	return fmt.Sprintf("%T", c)
}
