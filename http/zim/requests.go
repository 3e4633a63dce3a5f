package zim

import (
	"context"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// sendFriendApplication sends friend requests from FromUserId. A target
// whose list still holds FromUserId becomes FromUserId's friend at once,
// as on ZIM; the others get a waiting request (docs/zim.md).
func (s *Server) sendFriendApplication(ctx context.Context, c *call) (response, error) {
	return s.friendBatch(ctx, c, "CreateTime or UpdateTime", func(f friendItem) []int64 { return []int64{f.CreateTime, f.UpdateTime} },
		func(from string, f friendItem, attrs map[string]string) domain.Command {
			return domain.SendRequest{User: from, Target: f.UserId, ExpireAfter: c.App.RequestExpiry, RespectBlocks: true,
				Entry: domain.Entry{Alias: f.FriendAlias, Wording: f.Wording, Attributes: attrs, CreateTime: f.CreateTime, UpdateTime: f.UpdateTime}}
		})
}

// Profile limits of ModifyUserInfo.
const (
	MaxUserNameBytes   = 256
	MaxUserAvatarBytes = 500
	MaxExtraBytes      = 2 << 10
)

func (s *Server) modifyUserInfo(ctx context.Context, c *call) (response, error) {
	var req struct {
		UserInfo []struct {
			UserId     string  //nolint:revive // the wire name
			UserName   *string // nil: unchanged
			UserAvatar *string
			Extra      *string
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
	seen := map[string]bool{}
	for _, u := range req.UserInfo {
		switch code, msg := checkID(u.UserId); {
		case code != 0:
			fails.add(u.UserId, code, msg)
		case seen[u.UserId]:
			fails.add(u.UserId, codeInvalidParam, "repeated user ID")
		case u.UserName != nil && len(*u.UserName) > MaxUserNameBytes:
			fails.add(u.UserId, codeInvalidParam, "UserName is longer than 256 bytes")
		case u.UserAvatar != nil && len(*u.UserAvatar) > MaxUserAvatarBytes:
			fails.add(u.UserId, codeInvalidParam, "UserAvatar is longer than 500 bytes")
		case u.Extra != nil && len(*u.Extra) > MaxExtraBytes:
			fails.add(u.UserId, codeInvalidParam, "Extra is longer than 2 KB")
		case !s.cfg.Read.Registered(c.App.Name, u.UserId):
			fails.add(u.UserId, codeProfileUnregistered, "the user is not registered")
		default:
			seen[u.UserId] = true
			batch.Add(u.UserId, domain.UpdateProfile{User: u.UserId, Name: u.UserName, Avatar: u.UserAvatar, Extra: u.Extra})
		}
	}
	amityhttp.RunBatch(ctx, c, &batch, func(id string, err error) {
		if code, _ := codeOf(err); code == codeOperatorUnregistered {
			// Deleted between the check and the write.
			fails.add(id, codeProfileUnregistered, "the user is not registered")
			return
		}
		fails.addErr(id, err)
	})
	return fails.finish(len(req.UserInfo)), nil
}
