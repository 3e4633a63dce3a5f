package tencent

import (
	"context"
	"encoding/base64"
	"strconv"

	"github.com/amity-im/amity/domain"
)

// Follow API limits (Tencent's).
const (
	MaxFollowItems      = 20
	MaxFollowCheckItems = 100
	DefaultFollowPage   = 100
	MaxFollowPage       = 1000
)

// FollowReader answers the follow queries; projections.Model implements it.
type FollowReader interface {
	FollowRelation(app, a, b string) (ab, ba bool)
	FollowList(app, user string, kind domain.FollowKind, after string, limit int) ([]domain.Follow, bool)
	FollowCounts(app, user string) domain.FollowCounts
}

// follows returns the follow reader, after checking the app has follows
// on.
func (s *Server) follows(c *call) (FollowReader, error) {
	if !c.App.Follow {
		return nil, apiErr(codeFollowOff, "the follow feature is not enabled for this app")
	}
	fr, ok := s.cfg.Read.(FollowReader)
	if !ok {
		return nil, apiErr(codeSNSInternal, "follows are not readable here")
	}
	return fr, nil
}

// followBatch checks From_Account and the targets of a follow call.
func (s *Server) followBatch(c *call, from string, ids []string, limit int) (*items, []bool, error) {
	if _, err := s.follows(c); err != nil {
		return nil, nil, err
	}
	return s.begin(c, from, ids, limit, "To_Account")
}

func (s *Server) followAdd(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		FollowItem   []struct {
			To_Account string //nolint:revive // the wire name
		}
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	ids := make([]string, len(req.FollowItem))
	for i, f := range req.FollowItem {
		ids[i] = f.To_Account
	}
	it, ok, err := s.followBatch(c, req.From_Account, ids, MaxFollowItems)
	if err != nil {
		return nil, err
	}
	runEach(ctx, c, it, ids, ok, func(id string) domain.Command { return domain.FollowUser{User: req.From_Account, Target: id} })
	return &followResponse{ResultItem: it.results}, nil
}

// followResponse is the answer of follow_add and follow_delete.
type followResponse struct {
	Envelope
	ResultItem []ResultItem `json:"ResultItem"`
}

// followIDs is the body of the follow calls that name plain targets.
type followIDs struct {
	From_Account string   //nolint:revive // the wire name
	To_Account   []string //nolint:revive // the wire name
}

func (s *Server) followDelete(ctx context.Context, c *call) (response, error) {
	var req followIDs
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	it, ok, err := s.followBatch(c, req.From_Account, req.To_Account, MaxFollowItems)
	if err != nil {
		return nil, err
	}
	runEach(ctx, c, it, req.To_Account, ok, func(id string) domain.Command {
		return domain.UnfollowUser{User: req.From_Account, Target: id}
	})
	return &followResponse{ResultItem: it.results}, nil
}

// followRead checks a follow query's From_Account and targets, and calls
// each for every target that passed (registered ones only), in order; the
// targets' results are then final.
func (s *Server) followRead(c *call, limit int, each func(i int, fr FollowReader, from, id string)) (*items, error) {
	var req followIDs
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	fr, err := s.follows(c)
	if err != nil {
		return nil, err
	}
	it, ok, err := s.begin(c, req.From_Account, req.To_Account, limit, "To_Account")
	if err != nil {
		return nil, err
	}
	for i, id := range req.To_Account {
		switch {
		case !ok[i]:
		case !s.cfg.Read.Registered(c.App.Name, id):
			it.failErr(i, domain.ErrTargetNotRegistered)
		default:
			each(i, fr, req.From_Account, id)
		}
	}
	return it, nil
}

func (s *Server) followCheck(_ context.Context, c *call) (response, error) {
	type checkItem struct {
		ResultItem
		FollowType int `json:"FollowType"`
	}
	types := map[int]int{}
	it, err := s.followRead(c, MaxFollowCheckItems, func(i int, fr FollowReader, from, id string) {
		types[i] = followType(fr.FollowRelation(c.App.Name, from, id))
	})
	if err != nil {
		return nil, err
	}
	resp := struct {
		Envelope
		ResultItem []checkItem `json:"ResultItem"`
	}{ResultItem: make([]checkItem, len(it.results))}
	for i, r := range it.results {
		resp.ResultItem[i] = checkItem{r, types[i]}
	}
	return &resp, nil
}

// followType is Tencent's FollowType of a relation: 0 none, 1 the target
// follows the user (a fan), 2 the user follows the target, 3 both.
func followType(ab, ba bool) int {
	t := 0
	if ba {
		t |= 1
	}
	if ab {
		t |= 2
	}
	return t
}

func (s *Server) followGet(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		FollowType   int
		StartCursor  string
		WantNum      *int
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	fr, err := s.follows(c)
	if err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	kind := domain.FollowKind(req.FollowType)
	if kind != domain.Fans && kind != domain.Following && kind != domain.Mutual {
		return nil, paramErr(c, "FollowType must be 1 (fans), 2 (following) or 3 (mutual)")
	}
	want := DefaultFollowPage
	if req.WantNum != nil {
		if want = *req.WantNum; want < 1 || want > MaxFollowPage {
			return nil, paramErr(c, "WantNum must be 1 to "+strconv.Itoa(MaxFollowPage))
		}
	}
	after, err := base64.RawURLEncoding.DecodeString(req.StartCursor)
	if err != nil || (req.StartCursor != "" && len(after) == 0) {
		return nil, paramErr(c, "StartCursor is not a cursor this API returned")
	}
	page, more := fr.FollowList(c.App.Name, req.From_Account, kind, string(after), want)
	type followItem struct {
		To_Account      string     `json:"To_Account"` //nolint:revive // the wire name
		FollowTime      int64      `json:"FollowTime"`
		ProfileItem     []TagValue `json:"ProfileItem"`
		ProfileSequence int        `json:"profile_sequence"`
	}
	resp := struct {
		Envelope
		FollowItem []followItem `json:"FollowItem"`
		NextCursor string       `json:"NextCursor"`
	}{FollowItem: make([]followItem, len(page))}
	for i, f := range page {
		items := []TagValue{}
		if u, ok := s.cfg.Read.User(c.App.Name, f.ID); ok && u.Name != "" {
			items = append(items, TagValue{TagNick, u.Name})
		}
		resp.FollowItem[i] = followItem{To_Account: f.ID, FollowTime: f.Time / 1000, ProfileItem: items}
	}
	if more {
		resp.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].ID))
	}
	return &resp, nil
}

func (s *Server) followGetInfo(_ context.Context, c *call) (response, error) {
	type info struct {
		ResultItem
		FollowerCount        int `json:"FollowerCount"`
		FollowingCount       int `json:"FollowingCount"`
		MutualFollowingCount int `json:"MutualFollowingCount"`
	}
	counts := map[int]domain.FollowCounts{}
	it, err := s.followRead(c, MaxFollowItems, func(i int, fr FollowReader, _, id string) {
		counts[i] = fr.FollowCounts(c.App.Name, id)
	})
	if err != nil {
		return nil, err
	}
	resp := struct {
		Envelope
		FollowInfo []info `json:"FollowInfo"`
	}{FollowInfo: make([]info, len(it.results))}
	for i, r := range it.results {
		n := counts[i]
		resp.FollowInfo[i] = info{r, n.Fans, n.Following, n.Mutual}
	}
	return &resp, nil
}
