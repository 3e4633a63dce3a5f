package tencent

import (
	"context"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// On Tencent, blocking a friend removes the friendship both ways, in the
// same event as the block; and neither user can add the other while either
// blocks the other (friend_add: 30515, 30525).

// MaxBlackListPage bounds black_list_get's MaxLimited.
const MaxBlackListPage = 1000

type blackListRequest struct {
	From_Account string   //nolint:revive // the wire name
	To_Account   []string //nolint:revive // the wire name
}

func (s *Server) changeBlackList(ctx context.Context, c *call, cmd func(from, target string) domain.Command) (response, error) {
	var req blackListRequest
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	it, ok, err := s.begin(c, req.From_Account, req.To_Account, MaxFriendItems, "To_Account")
	if err != nil {
		return nil, err
	}
	runEach(ctx, c, it, req.To_Account, ok, func(id string) domain.Command { return cmd(req.From_Account, id) })
	return it.response(), nil
}

func (s *Server) blackListAdd(ctx context.Context, c *call) (response, error) {
	return s.changeBlackList(ctx, c, func(from, target string) domain.Command {
		return domain.BlockUser{User: from, Target: target, EndFriendship: true}
	})
}

func (s *Server) blackListDelete(ctx context.Context, c *call) (response, error) {
	return s.changeBlackList(ctx, c, func(from, target string) domain.Command {
		return domain.UnblockUser{User: from, Target: target}
	})
}

type blackListItem struct {
	To_Account        string `json:"To_Account"` //nolint:revive // the wire name
	AddBlackTimeStamp int64  `json:"AddBlackTimeStamp"`
}

func (s *Server) blackListGet(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		StartIndex   int
		MaxLimited   int
		LastSequence uint64
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	if req.StartIndex < 0 || req.MaxLimited <= 0 || req.MaxLimited > MaxBlackListPage {
		return nil, paramErr(c, "StartIndex must not be negative and MaxLimited must be 1 to "+strconv.Itoa(MaxBlackListPage))
	}
	page, total := s.cfg.Read.Blocklist(c.App.Name, req.From_Account, req.StartIndex, req.MaxLimited)
	resp := struct {
		Envelope
		BlackListItem    []blackListItem `json:"BlackListItem"`
		StartIndex       int             `json:"StartIndex"`
		CurruentSequence uint64          `json:"CurruentSequence"`
	}{BlackListItem: make([]blackListItem, 0, len(page)), CurruentSequence: s.cfg.Read.BlockSequence(c.App.Name, req.From_Account)}
	for _, b := range page {
		resp.BlackListItem = append(resp.BlackListItem, blackListItem{To_Account: b.ID, AddBlackTimeStamp: b.Time / 1000})
	}
	if end, more := amityhttp.NextPage(req.StartIndex, len(page), total); more {
		resp.StartIndex = end
	}
	return &resp, nil
}

// Results of black_list_check.
const (
	blackNone    = "BlackCheckResult_Type_NO"
	blackAWithB  = "BlackCheckResult_Type_AWithB"
	blackBWithA  = "BlackCheckResult_Type_BWithA"
	blackBothWay = "BlackCheckResult_Type_BothWay"
)

func (s *Server) blackListCheck(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account string   //nolint:revive // the wire name
		To_Account   []string //nolint:revive // the wire name
		CheckType    string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	var both bool
	switch req.CheckType {
	case "BlackCheckResult_Type_Both":
		both = true
	case "BlackCheckResult_Type_Single":
	default:
		return nil, paramErr(c, "CheckType must be BlackCheckResult_Type_Single or BlackCheckResult_Type_Both")
	}
	it, ok, err := s.begin(c, req.From_Account, req.To_Account, MaxFriendItems, "To_Account")
	if err != nil {
		return nil, err
	}
	resp := struct {
		Envelope
		BlackListCheckItem []checkItem `json:"BlackListCheckItem"`
		Fail_Account       []string    `json:"Fail_Account,omitempty"` //nolint:revive // the wire name
	}{BlackListCheckItem: make([]checkItem, len(req.To_Account))}
	for i, id := range req.To_Account {
		item := checkItem{To_Account: id, Relation: blackNone}
		if ok[i] {
			ab, _ := s.cfg.Read.Blocked(c.App.Name, req.From_Account, id)
			ba, _ := s.cfg.Read.Blocked(c.App.Name, id, req.From_Account)
			switch {
			case both && ab && ba:
				item.Relation = blackBothWay
			case ab:
				item.Relation = blackAWithB
			case both && ba:
				item.Relation = blackBWithA
			}
		}
		item.ResultCode, item.ResultInfo = it.results[i].ResultCode, it.results[i].ResultInfo
		resp.BlackListCheckItem[i] = item
	}
	resp.Fail_Account = it.failAccounts()
	return &resp, nil
}
