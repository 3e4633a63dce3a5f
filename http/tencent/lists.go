package tencent

import (
	"context"
	"strconv"

	amityhttp "github.com/amity-im/amity/http"
)

// FriendGetPageSize is how many friends one friend_get page holds.
const FriendGetPageSize = 100

type userData struct {
	To_Account string     `json:"To_Account"` //nolint:revive // the wire name
	ValueItem  []TagValue `json:"ValueItem"`
}

func (s *Server) friendGet(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account     string //nolint:revive // the wire name
		StartIndex       *int
		StandardSequence uint64
		CustomSequence   uint64
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	if req.StartIndex == nil || *req.StartIndex < 0 {
		return nil, paramErr(c, "StartIndex is required and must not be negative")
	}
	std, custom := s.cfg.Read.Sequences(c.App.Name, req.From_Account)
	page, total := s.cfg.Read.Friends(c.App.Name, req.From_Account, *req.StartIndex, FriendGetPageSize)
	resp := struct {
		Envelope
		UserDataItem     []userData `json:"UserDataItem"`
		StandardSequence uint64     `json:"StandardSequence"`
		CustomSequence   uint64     `json:"CustomSequence"`
		FriendNum        int        `json:"FriendNum"`
		CompleteFlag     int        `json:"CompleteFlag"`
		NextStartIndex   int        `json:"NextStartIndex"`
	}{UserDataItem: make([]userData, 0, len(page)), StandardSequence: std, CustomSequence: custom, FriendNum: total}
	for _, f := range page {
		var values []TagValue
		if req.StandardSequence != std || std == 0 {
			values = append(values, standardValues(f.Entry)...)
		}
		if req.CustomSequence != custom || custom == 0 {
			values = append(values, customValues(c.App, f.Entry)...)
		}
		if values == nil {
			values = []TagValue{}
		}
		resp.UserDataItem = append(resp.UserDataItem, userData{To_Account: f.ID, ValueItem: values})
	}
	next, more := amityhttp.NextPage(*req.StartIndex, len(page), total)
	resp.NextStartIndex = next
	if !more {
		resp.CompleteFlag = 1
	}
	return &resp, nil
}

type profileItem struct {
	To_Account     string     `json:"To_Account"` //nolint:revive // the wire name
	SnsProfileItem []TagValue `json:"SnsProfileItem"`
	ResultCode     int        `json:"ResultCode"`
	ResultInfo     string     `json:"ResultInfo"`
}

func (s *Server) friendGetList(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account string   //nolint:revive // the wire name
		To_Account   []string //nolint:revive // the wire name
		TagList      []string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	if len(req.TagList) == 0 || len(req.TagList) > MaxTags {
		return nil, paramErr(c, "TagList must hold 1 to "+strconv.Itoa(MaxTags)+" tags")
	}
	for _, tag := range req.TagList {
		if !knownTag(c.App, tag) {
			return nil, paramErr(c, "unknown tag "+strconv.Quote(tag))
		}
	}
	it := newItems(c, req.To_Account)
	ok, err := targets(c, it, req.To_Account, MaxGetListItems, "To_Account")
	if err != nil {
		return nil, err
	}
	resp := struct {
		Envelope
		InfoItem     []profileItem `json:"InfoItem"`
		Fail_Account []string      `json:"Fail_Account,omitempty"` //nolint:revive // the wire name
	}{InfoItem: make([]profileItem, len(req.To_Account))}
	for i, id := range req.To_Account {
		item := profileItem{To_Account: id, SnsProfileItem: []TagValue{}}
		if ok[i] {
			if e, found := s.cfg.Read.Entry(c.App.Name, req.From_Account, id); found {
				u, _ := s.cfg.Read.User(c.App.Name, id)
				for _, tag := range req.TagList {
					if v, has := tagValue(c.App, u, e, tag); has {
						item.SnsProfileItem = append(item.SnsProfileItem, TagValue{tag, v})
					}
				}
			} else {
				it.results[i].ResultCode, it.results[i].ResultInfo = codeGetListNotFriend, "SNS_FRD_GET_LIST_FRD_NO_EXIST"
			}
		}
		item.ResultCode, item.ResultInfo = it.results[i].ResultCode, it.results[i].ResultInfo
		resp.InfoItem[i] = item
	}
	resp.Fail_Account = it.failAccounts()
	return &resp, nil
}
