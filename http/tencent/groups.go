package tencent

import (
	"context"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain"
)

// MaxGroupItems bounds the group names or accounts of one group call.
const MaxGroupItems = 100

// groupNames validates a GroupName list.
func groupNames(c *call, names []string) ([]string, error) {
	if len(names) == 0 || len(names) > MaxGroupItems {
		return nil, paramErr(c, "GroupName must hold 1 to "+strconv.Itoa(MaxGroupItems)+" names")
	}
	if msg := checkGroups(dedupe(names)); msg != "" {
		return nil, paramErr(c, msg)
	}
	return dedupe(names), nil
}

func (s *Server) currentSequence(c *call, user string) uint64 {
	std, _ := s.cfg.Read.Sequences(c.App.Name, user)
	return std
}

func (s *Server) groupAdd(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		GroupName    []string
		To_Account   []string //nolint:revive // the wire name
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	names, err := groupNames(c, req.GroupName)
	if err != nil {
		return nil, err
	}
	if len(req.To_Account) > MaxGroupItems {
		return nil, paramErr(c, "To_Account holds more than "+strconv.Itoa(MaxGroupItems)+" accounts")
	}
	if r := c.Execute(ctx, []domain.Command{domain.AddFriendGroups{User: req.From_Account, Groups: names}})[0]; r.Err != nil {
		return nil, r.Err
	}
	it := newItems(c, req.To_Account)
	if len(req.To_Account) > 0 {
		ok, err := targets(c, it, req.To_Account, MaxGroupItems, "To_Account")
		if err != nil {
			return nil, err
		}
		runEach(ctx, c, it, req.To_Account, ok, func(id string) domain.Command {
			return domain.UpdateFriend{User: req.From_Account, Friend: id, AddGroups: names}
		})
	}
	resp := struct {
		batchResponse
		CurrentSequence uint64 `json:"CurrentSequence"`
	}{batchResponse: *it.response(), CurrentSequence: s.currentSequence(c, req.From_Account)}
	return &resp, nil
}

func (s *Server) groupDelete(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		GroupName    []string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	names, err := groupNames(c, req.GroupName)
	if err != nil {
		return nil, err
	}
	// Members are read before the groups go, then each leaves in its own
	// pair's commit.
	var members []string
	for _, g := range s.cfg.Read.Groups(c.App.Name, req.From_Account) {
		if slices.Contains(names, g.Name) {
			members = append(members, g.Friends...)
		}
	}
	if r := c.Execute(ctx, []domain.Command{domain.DeleteFriendGroups{User: req.From_Account, Groups: names}})[0]; r.Err != nil {
		return nil, r.Err
	}
	slices.Sort(members)
	var cmds []domain.Command
	for _, id := range slices.Compact(members) {
		cmds = append(cmds, domain.UpdateFriend{User: req.From_Account, Friend: id, RemoveGroups: names})
	}
	for _, r := range c.Execute(ctx, cmds) {
		if code, _, _ := codeOf(r.Err); r.Err != nil && code != codeNotFriend {
			return nil, r.Err
		}
	}
	return &struct {
		Envelope
		CurrentSequence uint64 `json:"CurrentSequence"`
	}{CurrentSequence: s.currentSequence(c, req.From_Account)}, nil
}

type groupItem struct {
	GroupName    string   `json:"GroupName"`
	FriendNumber int      `json:"FriendNumber"`
	To_Account   []string `json:"To_Account,omitempty"` //nolint:revive // the wire name
}

func (s *Server) groupGet(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		NeedFriend   string
		GroupName    []string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	switch req.NeedFriend {
	case "", "Need_Friend_Type_Yes", "Need_Friend_Type_No":
	default:
		return nil, paramErr(c, "NeedFriend must be Need_Friend_Type_Yes")
	}
	groups := s.cfg.Read.Groups(c.App.Name, req.From_Account)
	withFriends := req.NeedFriend == "Need_Friend_Type_Yes" || len(req.GroupName) > 0
	resp := struct {
		Envelope
		ResultItem      []groupItem `json:"ResultItem"`
		CurrentSequence uint64      `json:"CurrentSequence"`
	}{ResultItem: []groupItem{}, CurrentSequence: s.currentSequence(c, req.From_Account)}
	for _, name := range req.GroupName {
		if !slices.ContainsFunc(groups, func(g domain.Group) bool { return g.Name == name }) {
			return nil, apiErr(codeSNSParam, "no friend group "+strconv.Quote(name))
		}
	}
	for _, g := range groups {
		if len(req.GroupName) > 0 && !slices.Contains(req.GroupName, g.Name) {
			continue
		}
		item := groupItem{GroupName: g.Name, FriendNumber: len(g.Friends)}
		if withFriends {
			item.To_Account = g.Friends
			if item.To_Account == nil {
				item.To_Account = []string{}
			}
		}
		resp.ResultItem = append(resp.ResultItem, item)
	}
	return &resp, nil
}
