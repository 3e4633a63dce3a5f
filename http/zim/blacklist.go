package zim

import (
	"context"
	"math"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// On ZIM a blocklist is independent of friendship: blocking a friend keeps
// the friendship, unblocking restores nothing.

type blockRequest struct {
	FromUserId string   //nolint:revive // the wire name
	UserIds    []string //nolint:revive // the wire name
}

type errListResponse struct {
	Common
	ErrList []itemError `json:"ErrList"`
}

// blockBatch decodes and checks a blocklist batch: the operator (660800001
// when unregistered) and the size (660800039 over the batch limit).
func (s *Server) blockBatch(c *call) (blockRequest, error) {
	var req blockRequest
	if err := decode(c, &req); err != nil {
		return req, err
	}
	if code, msg := checkID(req.FromUserId); code != 0 {
		return req, apiErr(code, "FromUserId: "+msg)
	}
	if !s.cfg.Read.Registered(c.App.Name, req.FromUserId) {
		return req, apiErr(codeBlockOperator, "FromUserId is not registered")
	}
	if len(req.UserIds) == 0 {
		return req, apiErr(codeInvalidParam, "UserIds is empty")
	}
	if limit := zimBatch(c.App); len(req.UserIds) > limit {
		return req, apiErr(codeBlockBatchOver, "UserIds holds more than "+strconv.Itoa(limit)+" users")
	}
	return req, nil
}

// changeBlocks runs one command per valid target; when every target failed
// the Code is allFailed.
func (s *Server) changeBlocks(ctx context.Context, c *call, req blockRequest, allFailedCode int, cmd func(target string) domain.Command) (response, error) {
	var fails failures
	t := targets{from: req.FromUserId, selfCode: codeBlockSelf, seen: map[string]bool{}, fails: &fails}
	var batch amityhttp.Batch[string]
	for _, id := range req.UserIds {
		if t.ok(id) {
			batch.Add(id, cmd(id))
		}
	}
	amityhttp.RunBatch(ctx, c, &batch, fails.addErr)
	resp := &errListResponse{ErrList: fails.finish(len(req.UserIds)).ErrorList}
	if len(fails.items) == len(req.UserIds) {
		allFailed(&resp.Common, allFailedCode)
	}
	return resp, nil
}

func (s *Server) addUsersToBlacklist(ctx context.Context, c *call) (response, error) {
	req, err := s.blockBatch(c)
	if err != nil {
		return nil, err
	}
	return s.changeBlocks(ctx, c, req, codeBlockAllFailed, func(target string) domain.Command {
		return domain.BlockUser{User: req.FromUserId, Target: target}
	})
}

func (s *Server) removeUsersFromBlacklist(ctx context.Context, c *call) (response, error) {
	req, err := s.blockBatch(c)
	if err != nil {
		return nil, err
	}
	return s.changeBlocks(ctx, c, req, codeUnblockAllFailed, func(target string) domain.Command {
		return domain.UnblockUser{User: req.FromUserId, Target: target}
	})
}

type blockedUser struct {
	UserId     string `json:"UserId"` //nolint:revive // the wire name
	UserName   string `json:"UserName"`
	Avatar     string `json:"Avatar"`
	UpdateTime int64  `json:"UpdateTime"`
}

func (s *Server) queryBlacklist(_ context.Context, c *call) (response, error) {
	from := c.Query.Get("FromUserId")
	if code, msg := checkID(from); code != 0 {
		return nil, apiErr(code, "FromUserId: "+msg)
	}
	if !s.cfg.Read.Registered(c.App.Name, from) {
		return nil, apiErr(codeBlockOperator, "FromUserId is not registered")
	}
	limit, next, err := pageParams(c)
	if err != nil {
		return nil, err
	}
	page, total := s.cfg.Read.Blocklist(c.App.Name, from, next, limit)
	resp := struct {
		Common
		TotalCount int           `json:"TotalCount"`
		Next       int           `json:"Next"`
		Blacklist  []blockedUser `json:"Blacklist"`
	}{TotalCount: total, Blacklist: make([]blockedUser, 0, len(page))}
	if end, more := amityhttp.NextPage(next, len(page), total); more {
		resp.Next = end
	}
	for _, b := range page {
		u, _ := s.cfg.Read.User(c.App.Name, b.ID)
		resp.Blacklist = append(resp.Blacklist, blockedUser{UserId: b.ID, UserName: u.Name, Avatar: u.Avatar, UpdateTime: b.Time})
	}
	return &resp, nil
}

type blockResult struct {
	UserId string `json:"UserId"` //nolint:revive // the wire name
	Result int    `json:"Result"`
}

func (s *Server) checkUsersIsInBlacklist(_ context.Context, c *call) (response, error) {
	req, err := s.blockBatch(c)
	if err != nil {
		return nil, err
	}
	resp := struct {
		Common
		Succ    []blockResult `json:"Succ"`
		ErrList []itemError   `json:"ErrList"`
	}{Succ: []blockResult{}, ErrList: []itemError{}}
	for _, id := range req.UserIds {
		if code, _ := checkID(id); code != 0 {
			resp.ErrList = append(resp.ErrList, itemError{UserId: id, SubCode: code})
			continue
		}
		if !s.cfg.Read.Registered(c.App.Name, id) {
			resp.ErrList = append(resp.ErrList, itemError{UserId: id, SubCode: codeUserUnregistered})
			continue
		}
		r := blockResult{UserId: id}
		if b, _ := s.cfg.Read.Blocked(c.App.Name, req.FromUserId, id); b {
			r.Result = 1
		}
		resp.Succ = append(resp.Succ, r)
	}
	if len(resp.Succ) == 0 {
		allFailed(&resp.Common, resp.ErrList[0].SubCode)
	}
	return &resp, nil
}

// pageParams parses Limit (0, absent or over 100: 100) and Next.
func pageParams(c *call) (limit, next int, err error) {
	l, err := queryInt(c.Query, "Limit", 0)
	if err != nil {
		return 0, 0, err
	}
	if l <= 0 || l > MaxPageSize {
		l = MaxPageSize
	}
	n, err := queryInt(c.Query, "Next", 0)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, 0, apiErr(codeInvalidParam, "Next must be 0 or the Next of the previous page")
	}
	return int(l), int(n), nil
}
