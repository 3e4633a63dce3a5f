package zim

import (
	"context"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// MaxUsersPerCall bounds UserRegister and QueryUserInfos.
const MaxUsersPerCall = 100

type itemError struct {
	UserId     string `json:"UserId"` //nolint:revive // the wire name
	SubCode    int    `json:"SubCode"`
	SubMessage string `json:"SubMessage,omitempty"`
}

type listResponse struct {
	Common
	ErrorList []itemError `json:"ErrorList"`
}

// failures collects per-item errors in request order.
type failures struct {
	items []itemError
	// withMessage fills SubMessage (UserRegister's list carries it).
	withMessage bool
}

func (f *failures) add(id string, code int, msg string) {
	it := itemError{UserId: id, SubCode: code}
	if f.withMessage {
		it.SubMessage = msg
	}
	f.items = append(f.items, it)
}

func (f *failures) addErr(id string, err error) {
	code, msg := codeOf(err)
	f.add(id, code, msg)
}

// finish applies the partial-failure rule to a batch of n items.
func (f *failures) finish(n int) *listResponse {
	r := &listResponse{ErrorList: f.items}
	if r.ErrorList == nil {
		r.ErrorList = []itemError{}
	}
	if n > 0 && len(f.items) == n {
		allFailed(&r.Common, f.items[0].SubCode)
	}
	return r
}

func (s *Server) userRegister(ctx context.Context, c *call) (response, error) {
	var req struct {
		UserInfo []struct {
			UserId     string //nolint:revive // the wire name
			UserName   string
			UserAvatar string
		}
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if len(req.UserInfo) == 0 || len(req.UserInfo) > MaxUsersPerCall {
		return nil, apiErr(codeInvalidParam, "UserInfo must hold 1 to "+strconv.Itoa(MaxUsersPerCall)+" users")
	}
	fails := failures{withMessage: true}
	var batch amityhttp.Batch[string]
	for _, u := range req.UserInfo {
		switch code, msg := checkID(u.UserId); {
		case code != 0:
			fails.add(u.UserId, code, msg)
		case len(u.UserName) > 256:
			fails.add(u.UserId, codeUserNameTooLong, "UserName is longer than 256 bytes")
		case len(u.UserAvatar) > 500:
			fails.add(u.UserId, codeUserAvatarTooLong, "UserAvatar is longer than 500 bytes")
		default:
			batch.Add(u.UserId, domain.RegisterUser{User: u.UserId, Name: u.UserName, Avatar: u.UserAvatar})
		}
	}
	amityhttp.RunBatch(ctx, c, &batch, fails.addErr)
	return fails.finish(len(req.UserInfo)), nil
}

type userInfo struct {
	UserId     string `json:"UserId"` //nolint:revive // the wire name
	UserName   string `json:"UserName"`
	UserAvatar string `json:"UserAvatar"`
	Extra      string `json:"Extra"`
}

func (s *Server) queryUserInfos(_ context.Context, c *call) (response, error) {
	var req struct {
		UserIds []string //nolint:revive // the wire name
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if len(req.UserIds) == 0 || len(req.UserIds) > MaxUsersPerCall {
		return nil, apiErr(codeInvalidParam, "UserIds must hold 1 to "+strconv.Itoa(MaxUsersPerCall)+" users")
	}
	resp := struct {
		Common
		Result    []userInfo  `json:"Result"`
		ErrorList []itemError `json:"ErrorList"`
	}{Result: []userInfo{}}
	var fails failures
	for _, id := range req.UserIds {
		if code, msg := checkID(id); code != 0 {
			fails.add(id, code, msg)
			continue
		}
		u, ok := s.cfg.Read.User(c.App.Name, id)
		if !ok {
			fails.add(id, codeUserUnregistered, "")
			continue
		}
		resp.Result = append(resp.Result, userInfo{UserId: u.ID, UserName: u.Name, UserAvatar: u.Avatar, Extra: u.Extra})
	}
	lr := fails.finish(len(req.UserIds))
	resp.Common, resp.ErrorList = lr.Common, lr.ErrorList
	return &resp, nil
}
