package tencent

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// Batch limits.
const (
	MaxFriendItems  = 1000
	MaxGetListItems = 100
	MaxTags         = 30
)

// targets validates a batch's To_Account list: the count, each ID, and
// repeats. It reports per position whether the item may go on.
func targets(c *call, it *items, ids []string, limit int, field string) ([]bool, error) {
	if len(ids) == 0 || len(ids) > limit {
		return nil, paramErr(c, field+" must hold 1 to "+strconv.Itoa(limit)+" items")
	}
	ok := make([]bool, len(ids))
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		switch {
		case checkID(id) != "":
			it.fail(i, codeSNSParam, "To_Account_Invalid")
		case seen[id]:
			it.fail(i, codeSNSParam, "To_Account_Repeated")
		default:
			ok[i] = true
			seen[id] = true
		}
	}
	return ok, nil
}

// begin checks From_Account and the To_Accounts of a batch, returning the
// batch's results and which items may go on.
func (s *Server) begin(c *call, from string, ids []string, limit int, field string) (*items, []bool, error) {
	if err := s.operator(c, from); err != nil {
		return nil, nil, err
	}
	it := newItems(c, ids)
	ok, err := targets(c, it, ids, limit, field)
	return it, ok, err
}

// addFields checks the fields an added or imported friend shares,
// returning the ResultInfo reason of the first bad one.
func addFields(source, remark, wording string, groups []string) string {
	switch {
	case !addSource.MatchString(source):
		return "AddSource_Invalid"
	case checkEntryText(remark, wording) != "" || checkGroups(groups) != "":
		return "Field_Too_Long"
	}
	return ""
}

func (s *Server) friendAdd(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account  string //nolint:revive // the wire name
		AddFriendItem []struct {
			To_Account, Remark, GroupName, AddSource, AddWording string //nolint:revive // the wire name
		}
		AddType       string
		ForceAddFlags int
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	both := true
	switch req.AddType {
	case "", "Add_Type_Both":
	case "Add_Type_Single":
		both = false
	default:
		return nil, paramErr(c, "AddType must be Add_Type_Single or Add_Type_Both")
	}
	if req.ForceAddFlags != 0 && req.ForceAddFlags != 1 {
		return nil, paramErr(c, "ForceAddFlags must be 0 or 1")
	}
	ids := make([]string, len(req.AddFriendItem))
	for i, f := range req.AddFriendItem {
		ids[i] = f.To_Account
	}
	it, ok, err := s.begin(c, req.From_Account, ids, MaxFriendItems, "AddFriendItem")
	if err != nil {
		return nil, err
	}
	var batch amityhttp.Batch[int]
	for i, f := range req.AddFriendItem {
		if !ok[i] {
			continue
		}
		var groups []string
		if f.GroupName != "" {
			groups = []string{f.GroupName}
		}
		if reason := addFields(f.AddSource, f.Remark, f.AddWording, groups); reason != "" {
			it.fail(i, codeSNSParam, reason)
			continue
		}
		// Without force, the target's AllowType decides.
		cmd := domain.AddFriend{User: req.From_Account, Friend: f.To_Account, RespectBlocks: true,
			Consent: req.ForceAddFlags == 0, ExpireAfter: c.App.RequestExpiry,
			Entry: domain.Entry{Alias: f.Remark, Wording: f.AddWording, AddSource: f.AddSource, Groups: groups}}
		if both {
			cmd.Reverse = &domain.Entry{Wording: f.AddWording, AddSource: f.AddSource}
		}
		batch.Add(i, cmd)
	}
	amityhttp.RunBatchEach(ctx, c, &batch, func(i int, r domain.Result) {
		switch {
		case r.Err != nil:
			it.failErr(i, r.Err)
		case r.Event != nil && r.Event.Type == domain.TypeRequestSent:
			// Not a failure: the target confirms adds, and now has a
			// request waiting.
			it.fail(i, codeRequestPending, "Pending")
		}
	})
	return it.response(), nil
}

type customItem struct {
	Tag   string
	Value json.RawMessage
}

func (s *Server) friendImport(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account  string //nolint:revive // the wire name
		AddFriendItem []struct {
			To_Account, Remark, AddSource, AddWording string //nolint:revive // the wire name
			RemarkTime, AddTime                       int64
			GroupName                                 []string
			CustomItem                                []customItem
		}
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	ids := make([]string, len(req.AddFriendItem))
	for i, f := range req.AddFriendItem {
		ids[i] = f.To_Account
	}
	it, ok, err := s.begin(c, req.From_Account, ids, MaxFriendItems, "AddFriendItem")
	if err != nil {
		return nil, err
	}
	var batch amityhttp.Batch[int]
	for i, f := range req.AddFriendItem {
		if !ok[i] {
			continue
		}
		if reason := addFields(f.AddSource, f.Remark, f.AddWording, f.GroupName); reason != "" {
			it.fail(i, codeSNSParam, reason)
			continue
		}
		switch {
		case f.AddTime < 0 || f.RemarkTime < 0 || f.AddTime > math.MaxInt64/1000 || f.RemarkTime > math.MaxInt64/1000:
			it.fail(i, codeSNSParam, "Time_Invalid")
			continue
		}
		e := domain.Entry{Alias: f.Remark, Wording: f.AddWording, AddSource: f.AddSource, Groups: dedupe(f.GroupName),
			CreateTime: f.AddTime * 1000, RemarkTime: f.RemarkTime * 1000}
		attrs, custom := map[string]string{}, map[string]domain.CustomValue{}
		bad := false
		for _, ci := range f.CustomItem {
			v, msg := customField(c.App, ci.Tag, ci.Value)
			if msg != "" {
				bad = true
				break
			}
			setCustom(c.App, attrs, custom, ci.Tag, v)
		}
		if bad || domain.AttributesSize(attrs) > domain.MaxAttributeBytes {
			it.fail(i, codeSNSParam, "CustomItem_Invalid")
			continue
		}
		if len(attrs) > 0 {
			e.Attributes = attrs
		}
		if len(custom) > 0 {
			e.Custom = custom
		}
		batch.Add(i, domain.ImportFriend{User: req.From_Account, Friend: f.To_Account, Entry: e})
	}
	amityhttp.RunBatch(ctx, c, &batch, it.failErr)
	return it.response(), nil
}

func dedupe(groups []string) []string {
	var out []string
	for _, g := range groups {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) friendUpdate(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		UpdateItem   []struct {
			To_Account string //nolint:revive // the wire name
			SnsItem    []customItem
		}
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	ids := make([]string, len(req.UpdateItem))
	for i, u := range req.UpdateItem {
		ids[i] = u.To_Account
	}
	it, ok, err := s.begin(c, req.From_Account, ids, MaxFriendItems, "UpdateItem")
	if err != nil {
		return nil, err
	}
	var batch amityhttp.Batch[int]
	for i, u := range req.UpdateItem {
		if !ok[i] {
			continue
		}
		cmd, reason := updateCommand(c.App, req.From_Account, u.To_Account, u.SnsItem)
		if reason != "" {
			it.fail(i, codeSNSParam, reason)
			continue
		}
		batch.Add(i, cmd)
	}
	amityhttp.RunBatch(ctx, c, &batch, it.failErr)
	return it.response(), nil
}

// updateCommand turns friend_update's SnsItem list into one UpdateFriend.
func updateCommand(app *App, from, to string, sns []customItem) (domain.UpdateFriend, string) {
	cmd := domain.UpdateFriend{User: from, Friend: to, MaxAttributeBytes: domain.MaxAttributeBytes}
	if len(sns) == 0 {
		return cmd, "SnsItem_Empty"
	}
	attrs, custom := map[string]string{}, map[string]domain.CustomValue{}
	for _, item := range sns {
		switch item.Tag {
		case tagRemark:
			var remark string
			if json.Unmarshal(item.Value, &remark) != nil || len(remark) > MaxRemarkBytes {
				return cmd, "Remark_Invalid"
			}
			cmd.Alias = &remark
		case tagGroup:
			var groups []string
			if json.Unmarshal(item.Value, &groups) != nil || checkGroups(groups) != "" {
				return cmd, "Group_Invalid"
			}
			groups = dedupe(groups)
			cmd.Groups = &groups
		default:
			v, msg := customField(app, item.Tag, item.Value)
			if msg != "" {
				return cmd, "Tag_Invalid"
			}
			setCustom(app, attrs, custom, item.Tag, v)
		}
	}
	if len(attrs) > 0 {
		cmd.Attributes = attrs
	}
	if len(custom) > 0 {
		cmd.Custom = custom
	}
	return cmd, ""
}

// deleteType parses DeleteType, def when empty.
func deleteType(c *call, v string, def bool) (both bool, err error) {
	switch v {
	case "":
		return def, nil
	case "Delete_Type_Both":
		return true, nil
	case "Delete_Type_Single":
		return false, nil
	}
	return false, paramErr(c, "DeleteType must be Delete_Type_Single or Delete_Type_Both")
}

func (s *Server) friendDelete(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string   //nolint:revive // the wire name
		To_Account   []string //nolint:revive // the wire name
		DeleteType   string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	both, err := deleteType(c, req.DeleteType, true)
	if err != nil {
		return nil, err
	}
	it, ok, err := s.begin(c, req.From_Account, req.To_Account, MaxFriendItems, "To_Account")
	if err != nil {
		return nil, err
	}
	runEach(ctx, c, it, req.To_Account, ok, func(id string) domain.Command {
		return domain.DeleteFriend{User: req.From_Account, Friend: id, Both: both}
	})
	return &struct {
		Envelope
		ResultItem []ResultItem `json:"ResultItem"`
	}{ResultItem: it.results}, nil
}

func (s *Server) friendDeleteAll(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		DeleteType   string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	both, err := deleteType(c, req.DeleteType, false)
	if err != nil {
		return nil, err
	}
	if err := amityhttp.DeleteAllFriends(ctx, c, s.cfg.Read, req.From_Account, both); err != nil {
		return nil, err
	}
	return &Envelope{}, nil
}

// Relation results of friend_check.
const (
	relNone    = "CheckResult_Type_NoRelation"
	relAWithB  = "CheckResult_Type_AWithB"
	relBWithA  = "CheckResult_Type_BWithA"
	relBothWay = "CheckResult_Type_BothWay"
)

func relation(both, ab, ba bool) string {
	switch {
	case both && ab && ba:
		return relBothWay
	case ab:
		return relAWithB
	case both && ba:
		return relBWithA
	}
	return relNone
}

type checkItem struct {
	To_Account string `json:"To_Account"` //nolint:revive // the wire name
	Relation   string `json:"Relation"`
	ResultCode int    `json:"ResultCode"`
	ResultInfo string `json:"ResultInfo"`
}

func (s *Server) friendCheck(_ context.Context, c *call) (response, error) {
	var req struct {
		From_Account string   //nolint:revive // the wire name
		To_Account   []string //nolint:revive // the wire name
		CheckType    string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.From_Account); err != nil {
		return nil, err
	}
	var both bool
	switch req.CheckType {
	case "CheckResult_Type_Both":
		both = true
	case "CheckResult_Type_Single":
	default:
		return nil, paramErr(c, "CheckType must be CheckResult_Type_Single or CheckResult_Type_Both")
	}
	it := newItems(c, req.To_Account)
	if len(req.To_Account) == 0 || len(req.To_Account) > MaxFriendItems {
		return nil, paramErr(c, "To_Account must hold 1 to "+strconv.Itoa(MaxFriendItems)+" accounts")
	}
	resp := struct {
		Envelope
		InfoItem     []checkItem `json:"InfoItem"`
		Fail_Account []string    `json:"Fail_Account,omitempty"` //nolint:revive // the wire name
	}{InfoItem: make([]checkItem, len(req.To_Account))}
	rels := s.cfg.Read.Relations(c.App.Name, req.From_Account, req.To_Account)
	for i, id := range req.To_Account {
		item := checkItem{To_Account: id, Relation: relNone}
		if checkID(id) != "" {
			it.fail(i, codeSNSParam, "To_Account_Invalid")
			item.ResultCode, item.ResultInfo = it.results[i].ResultCode, it.results[i].ResultInfo
		} else {
			item.Relation = relation(both, rels[i][0], rels[i][1])
		}
		resp.InfoItem[i] = item
	}
	resp.Fail_Account = it.failAccounts()
	return &resp, nil
}
