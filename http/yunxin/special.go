package yunxin

import (
	"context"
	"strconv"

	"github.com/amity-im/amity/domain"
)

// Special relations: relationType's values.
const (
	relationBlack = 1
	relationMute  = 2
)

// special is what a change of a special relation records, and the errors
// that mean it is already as asked (answered 200, as Yunxin does).
func special(relation int, on bool, user, target string) (domain.Command, []error) {
	switch {
	case relation == relationBlack && on:
		// Yunxin's blacklist keeps the friendship (ZIM's meaning).
		return domain.BlockUser{User: user, Target: target}, []error{domain.ErrAlreadyBlocked}
	case relation == relationBlack:
		return domain.UnblockUser{User: user, Target: target}, []error{domain.ErrNotBlocked, domain.ErrAlreadyUnblocked}
	case on:
		return domain.MuteUser{User: user, Target: target}, []error{domain.ErrAlreadyMuted}
	}
	return domain.UnmuteUser{User: user, Target: target}, []error{domain.ErrNotMuted}
}

// setSpecialRelation: user/setSpecialRelation.action, targetAcc into or
// out of accid's blacklist (relationType 1) or mute list (2).
func (s *Server) setSpecialRelation(ctx context.Context, c *call) (response, error) {
	f := form(c)
	relation, err := strconv.Atoi(f.Get("relationType"))
	if err != nil || (relation != relationBlack && relation != relationMute) {
		return nil, apiErr(codeParam, "relationType must be 1 (blacklist) or 2 (mute)")
	}
	value := f.Get("value")
	if value != "0" && value != "1" {
		return nil, apiErr(codeParam, "value must be 0 (remove) or 1 (add)")
	}
	user, target, err := s.pair(c, f, "accid", "targetAcc")
	if err != nil {
		return nil, err
	}
	cmd, already := special(relation, value == "1", user, target)
	return ok(), idempotent(run(ctx, c, cmd), already...)
}

type listsAnswer struct {
	result
	MuteList  []string `json:"mutelist"`
	BlackList []string `json:"blacklist"`
}

// listBlackAndMuteList: user/listBlackAndMuteList.action, accid's two
// lists.
func (s *Server) listBlackAndMuteList(_ context.Context, c *call) (response, error) {
	f := form(c)
	user, err := accid("accid", f.Get("accid"))
	if err != nil {
		return nil, err
	}
	if err := s.registered(c, "accid", user, domain.ErrUserNotRegistered); err != nil {
		return nil, err
	}
	return &listsAnswer{MuteList: s.muted(c, user), BlackList: s.blacklist(c, user, 0, c.App.BlockCap())}, nil
}

// blacklist is up to limit of user's blocked users from offset.
func (s *Server) blacklist(c *call, user string, offset, limit int) []string {
	page, _ := s.cfg.Read.Blocklist(c.App.Name, user, offset, limit)
	out := make([]string, len(page))
	for i, b := range page {
		out[i] = b.ID
	}
	return out
}

// muted is user's mute list.
func (s *Server) muted(c *call, user string) []string {
	mutes := s.cfg.Read.Mutes(c.App.Name, user)
	out := make([]string, len(mutes))
	for i, m := range mutes {
		out[i] = m.ID
	}
	return out
}
