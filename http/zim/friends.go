package zim

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// Limits of ZIM friend fields.
const (
	MaxTextRunes      = 256
	MaxAttributes     = 5
	MaxAttributeBytes = domain.MaxAttributeBytes
	MaxPageSize       = 100
)

// attribute is a ZIM friend attribute on the wire.
type attribute struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// targets walks a batch's target IDs: it refuses an invalid ID, the operator
// itself (selfCode) and a repeated ID, and reports whether the item may go on.
type targets struct {
	from     string
	selfCode int
	seen     map[string]bool
	fails    *failures
}

func (t *targets) ok(id string) bool {
	if code, msg := checkID(id); code != 0 {
		t.fails.add(id, code, msg)
		return false
	}
	if id == t.from {
		t.fails.add(id, t.selfCode, "the target is FromUserId itself")
		return false
	}
	if t.seen[id] {
		t.fails.add(id, codeRepeatedIDs, "repeated user ID")
		return false
	}
	t.seen[id] = true
	return true
}

// batchSize refuses an empty batch or one over the app's limit.
func batchSize(c *call, n int, field string) error {
	if n == 0 {
		return apiErr(codeInvalidParam, field+" is empty")
	}
	if limit := zimBatch(c.App); n > limit {
		return apiErr(codeBatchOverLimit, field+" holds more than "+strconv.Itoa(limit)+" users")
	}
	return nil
}

// checkAttributes validates attributes, returning the valid ones and the
// code of the first invalid one (0 if none).
func checkAttributes(attrs []attribute) (map[string]string, int) {
	if len(attrs) > MaxAttributes {
		return nil, codeAttrInvalid
	}
	out := make(map[string]string, len(attrs))
	for _, a := range attrs {
		switch {
		case !validKey(a.Key):
			return nil, codeAttrKeyInvalid
		case hasKey(out, a.Key):
			return nil, codeAttrKeyRepeated
		}
		out[a.Key] = a.Value
	}
	if domain.AttributesSize(out) > MaxAttributeBytes {
		return nil, codeAttrTooLarge
	}
	return out, 0
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func validKey(k string) bool { return len(k) == 2 && k[0] == 'k' && k[1] >= '0' && k[1] <= '4' }

// friendItem is one target of AddFriends (FriendTime) or
// SendFriendApplication (CreateTime, UpdateTime).
type friendItem struct {
	UserId                             string //nolint:revive // the wire name
	Wording                            string
	FriendAlias                        string
	FriendTime, CreateTime, UpdateTime int64
	Attributes                         []attribute
}

// friendBatch answers an action over FriendInfos: it checks each item (its
// ID, texts, attributes and the times times names), runs cmd's command for
// each good one, and applies ZIM's partial-failure rules, with 660800025
// when no target is registered.
func (s *Server) friendBatch(ctx context.Context, c *call, timeFields string, times func(friendItem) []int64,
	cmd func(from string, f friendItem, attrs map[string]string) domain.Command) (response, error) {
	var req friendBatchRequest
	if !req.scan(c.Body) {
		req = friendBatchRequest{}
		if err := decode(c, &req); err != nil {
			return nil, err
		}
	}
	if err := s.operator(c, req.FromUserId); err != nil {
		return nil, err
	}
	if err := batchSize(c, len(req.FriendInfos), "FriendInfos"); err != nil {
		return nil, err
	}
	var fails failures
	t := targets{from: req.FromUserId, selfCode: codeFriendIsSelf, seen: map[string]bool{}, fails: &fails}
	var batch amityhttp.Batch[string]
	nowMs := c.Now.UnixMilli()
items:
	for _, f := range req.FriendInfos {
		if !t.ok(f.UserId) {
			continue
		}
		if runes(f.FriendAlias) > MaxTextRunes || runes(f.Wording) > MaxTextRunes {
			fails.add(f.UserId, codeTextTooLong, "FriendAlias or Wording is longer than 256 characters")
			continue
		}
		attrs, code := checkAttributes(f.Attributes)
		if code != 0 {
			fails.add(f.UserId, code, "invalid Attributes")
			continue
		}
		for _, ms := range times(f) {
			if ms < 0 {
				fails.add(f.UserId, codeInvalidParam, timeFields+" is negative")
				continue items
			}
			if ms > nowMs {
				fails.add(f.UserId, codeFutureTime, timeFields+" is in the future")
				continue items
			}
		}
		if len(attrs) == 0 {
			attrs = nil
		}
		batch.Add(f.UserId, cmd(req.FromUserId, f, attrs))
	}
	unregistered := 0
	amityhttp.RunBatch(ctx, c, &batch, func(id string, err error) {
		fails.addErr(id, err)
		if code, _ := codeOf(err); code == codeUserUnregistered {
			unregistered++
		}
	})
	resp := fails.finish(len(req.FriendInfos))
	if unregistered == len(req.FriendInfos) {
		resp.Code, resp.Message = codeNoneRegistered, "none of the target users is registered"
	}
	return resp, nil
}

func (s *Server) addFriends(ctx context.Context, c *call) (response, error) {
	return s.friendBatch(ctx, c, "FriendTime", func(f friendItem) []int64 { return []int64{f.FriendTime} },
		func(from string, f friendItem, attrs map[string]string) domain.Command {
			return domain.AddFriend{User: from, Friend: f.UserId,
				Entry:   domain.Entry{Alias: f.FriendAlias, Wording: f.Wording, Attributes: attrs, CreateTime: f.FriendTime},
				Reverse: &domain.Entry{Wording: f.Wording, CreateTime: f.FriendTime},
			}
		})
}

// deleteType parses DeleteType: 0 two-way, 1 one-way.
func deleteType(v *int) (both bool, err error) {
	if v == nil || (*v != 0 && *v != 1) {
		return false, apiErr(codeInvalidParam, "DeleteType must be 0 (two-way) or 1 (one-way)")
	}
	return *v == 0, nil
}

func (s *Server) deleteFriends(ctx context.Context, c *call) (response, error) {
	var req struct {
		FromUserId string   //nolint:revive // the wire name
		UserIds    []string //nolint:revive // the wire name
		DeleteType *int
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.FromUserId); err != nil {
		return nil, err
	}
	both, err := deleteType(req.DeleteType)
	if err != nil {
		return nil, err
	}
	if err := batchSize(c, len(req.UserIds), "UserIds"); err != nil {
		return nil, err
	}
	var fails failures
	t := targets{from: req.FromUserId, selfCode: codeIDsContainSelf, seen: map[string]bool{}, fails: &fails}
	var batch amityhttp.Batch[string]
	for _, id := range req.UserIds {
		if t.ok(id) {
			batch.Add(id, domain.DeleteFriend{User: req.FromUserId, Friend: id, Both: both})
		}
	}
	amityhttp.RunBatch(ctx, c, &batch, fails.addErr)
	return fails.finish(len(req.UserIds)), nil
}

func (s *Server) deleteAllFriends(ctx context.Context, c *call) (response, error) {
	from := c.Query.Get("FromUserId")
	if err := s.operator(c, from); err != nil {
		return nil, err
	}
	dt, err := queryInt(c.Query, "DeleteType", -1)
	if err != nil {
		return nil, err
	}
	d := int(dt)
	both, err := deleteType(&d)
	if err != nil {
		return nil, err
	}
	if err := amityhttp.DeleteAllFriends(ctx, c, s.cfg.Read, from, both); err != nil {
		return nil, err
	}
	return &Common{}, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(q *amityhttp.Query, name string, def int64) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, apiErr(codeInvalidParam, name+" must be an integer")
	}
	return n, nil
}

type friendInfo struct {
	UserId      string      `json:"UserId"` //nolint:revive // the wire name
	UserName    string      `json:"UserName"`
	Avatar      string      `json:"Avatar"`
	Wording     string      `json:"Wording"`
	FriendAlias string      `json:"FriendAlias"`
	CreateTime  int64       `json:"CreateTime"`
	Attributes  []attribute `json:"Attributes"`
}

func (s *Server) queryFriendList(_ context.Context, c *call) (response, error) {
	from := c.Query.Get("FromUserId")
	if err := s.operator(c, from); err != nil {
		return nil, err
	}
	limit, next, err := pageParams(c)
	if err != nil {
		return nil, err
	}
	page, total := s.cfg.Read.Friends(c.App.Name, from, next, limit)
	resp := struct {
		Common
		TotalCount  int          `json:"TotalCount"`
		Next        int          `json:"Next"`
		FriendInfos []friendInfo `json:"FriendInfos"`
	}{TotalCount: total, FriendInfos: make([]friendInfo, 0, len(page))}
	if end, more := amityhttp.NextPage(next, len(page), total); more {
		resp.Next = end
	}
	for _, f := range page {
		u, _ := s.cfg.Read.User(c.App.Name, f.ID)
		resp.FriendInfos = append(resp.FriendInfos, friendInfo{
			UserId: f.ID, UserName: u.Name, Avatar: u.Avatar, Wording: f.Wording,
			FriendAlias: f.Alias, CreateTime: f.CreateTime, Attributes: wireAttributes(f.Attributes),
		})
	}
	return &resp, nil
}

func wireAttributes(m map[string]string) []attribute {
	out := make([]attribute, 0, len(m))
	for k, v := range m {
		out = append(out, attribute{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b attribute) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// Relation codes of CheckFriendsRelation.
const (
	relSingleNo      = 1
	relSingleHave    = 2
	relBothAllNo     = 3
	relBothSelfHave  = 4
	relBothOtherHave = 5
	relBothAllHave   = 6
)

func relation(twoWay, ab, ba bool) int {
	switch {
	case !twoWay && !ab:
		return relSingleNo
	case !twoWay:
		return relSingleHave
	case ab && ba:
		return relBothAllHave
	case ab:
		return relBothSelfHave
	case ba:
		return relBothOtherHave
	}
	return relBothAllNo
}

type relationItem struct {
	UserId   string `json:"UserId"` //nolint:revive // the wire name
	Relation int    `json:"Relation"`
}

type relationFail struct {
	UserId  string `json:"UserId"` //nolint:revive // the wire name
	SubCode int    `json:"SubCode"`
}

func (s *Server) checkFriendsRelation(_ context.Context, c *call) (response, error) {
	var req checkRequest
	if !req.scan(c.Body) {
		req = checkRequest{}
		if err := decode(c, &req); err != nil {
			return nil, err
		}
	}
	if err := s.operator(c, req.FromUserId); err != nil {
		return nil, err
	}
	if req.CheckType == nil || (*req.CheckType != 0 && *req.CheckType != 1) {
		return nil, apiErr(codeInvalidParam, "CheckType must be 0 (two-way) or 1 (one-way)")
	}
	if err := batchSize(c, len(req.UserIds), "UserIds"); err != nil {
		return nil, err
	}
	twoWay := *req.CheckType == 0
	successes := make([]relationItem, 0, len(req.UserIds))
	resp := checkResponse{Fails: []relationFail{}}
	valid := req.UserIds[:0] // filtered in place
	for _, id := range req.UserIds {
		if code, _ := checkID(id); code != 0 {
			resp.Fails = append(resp.Fails, relationFail{UserId: id, SubCode: code})
			continue
		}
		valid = append(valid, id)
	}
	for i, r := range s.cfg.Read.Relations(c.App.Name, req.FromUserId, valid) {
		successes = append(successes, relationItem{UserId: valid[i], Relation: relation(twoWay, r[0], r[1])})
	}
	resp.Successes, resp.Succ = successes, successes
	if len(successes) == 0 {
		allFailed(&resp.Common, resp.Fails[0].SubCode)
	}
	return &resp, nil
}

func (s *Server) updateFriendsAlias(ctx context.Context, c *call) (response, error) {
	var req struct {
		FromUserId string //nolint:revive // the wire name
		UserIds    []struct {
			UserId      string //nolint:revive // the wire name
			FriendAlias string
		}
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.FromUserId); err != nil {
		return nil, err
	}
	if err := batchSize(c, len(req.UserIds), "UserIds"); err != nil {
		return nil, err
	}
	var fails failures
	t := targets{from: req.FromUserId, selfCode: codeIDsContainSelf, seen: map[string]bool{}, fails: &fails}
	var batch amityhttp.Batch[string]
	for _, u := range req.UserIds {
		if !t.ok(u.UserId) {
			continue
		}
		if runes(u.FriendAlias) > MaxTextRunes {
			fails.add(u.UserId, codeTextTooLong, "FriendAlias is longer than 256 characters")
			continue
		}
		alias := u.FriendAlias
		batch.Add(u.UserId, domain.UpdateFriend{User: req.FromUserId, Friend: u.UserId, Alias: &alias})
	}
	amityhttp.RunBatch(ctx, c, &batch, fails.addErr)
	return fails.finish(len(req.UserIds)), nil
}

type keyFail struct {
	Key     string `json:"Key"`
	SubCode int    `json:"SubCode"`
}

func (s *Server) updateFriendAttributes(ctx context.Context, c *call) (response, error) {
	var req struct {
		FromUserId string //nolint:revive // the wire name
		UserId     string //nolint:revive // the wire name
		Attributes []attribute
		Action     int
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := s.operator(c, req.FromUserId); err != nil {
		return nil, err
	}
	if code, msg := checkID(req.UserId); code != 0 {
		return nil, apiErr(code, "UserId: "+msg)
	}
	if req.UserId == req.FromUserId {
		return nil, apiErr(codeIDsContainSelf, "UserId is FromUserId itself")
	}
	if req.Action != 0 {
		return nil, apiErr(codeInvalidParam, "Action must be 0 (set)")
	}
	if len(req.Attributes) == 0 {
		return nil, apiErr(codeInvalidParam, "Attributes is empty")
	}
	if len(req.Attributes) > MaxAttributes {
		return nil, apiErr(codeAttrInvalid, "at most 5 Attributes")
	}
	resp := struct {
		Common
		FailKey []keyFail `json:"FailKey"`
	}{FailKey: []keyFail{}}
	set := map[string]string{}
	var keys []string
	for _, a := range req.Attributes {
		switch {
		case !validKey(a.Key):
			resp.FailKey = append(resp.FailKey, keyFail{a.Key, codeAttrKeyInvalid})
		case hasKey(set, a.Key):
			resp.FailKey = append(resp.FailKey, keyFail{a.Key, codeAttrKeyRepeated})
		default:
			set[a.Key] = a.Value
			keys = append(keys, a.Key)
		}
	}
	if len(set) > 0 {
		r := c.Execute(ctx, []domain.Command{domain.UpdateFriend{
			User: req.FromUserId, Friend: req.UserId, Attributes: set, MaxAttributeBytes: MaxAttributeBytes,
		}})[0]
		if r.Err != nil {
			code, _ := codeOf(r.Err)
			if code != codeAttrTooLarge {
				return nil, r.Err
			}
			for _, k := range keys {
				resp.FailKey = append(resp.FailKey, keyFail{k, code})
			}
			keys = nil
		}
	}
	if len(keys) == 0 {
		allFailed(&resp.Common, resp.FailKey[0].SubCode)
	}
	return &resp, nil
}
