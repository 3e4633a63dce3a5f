package tencent

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain"
)

// Profile tags Amity keeps (Tencent's standard profile fields).
const (
	TagNick      = "Tag_Profile_IM_Nick"
	TagImage     = "Tag_Profile_IM_Image"
	TagAllowType = "Tag_Profile_IM_AllowType"
)

var profileTags = []string{TagNick, TagImage, TagAllowType}

// portraitItem is one tag and value of a profile.
type portraitItem struct {
	Tag   string
	Value json.RawMessage
}

func (s *Server) portraitSet(ctx context.Context, c *call) (response, error) {
	var req struct {
		From_Account string //nolint:revive // the wire name
		ProfileItem  []portraitItem
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if msg := checkID(req.From_Account); msg != "" {
		return nil, paramErr(c, "From_Account: "+msg)
	}
	if len(req.ProfileItem) == 0 {
		return nil, paramErr(c, "ProfileItem is empty")
	}
	cmd := domain.UpdateProfile{User: req.From_Account}
	for _, it := range req.ProfileItem {
		if !slices.Contains(profileTags, it.Tag) {
			return nil, apiErr(codeProfileUnknownTag, "unknown profile tag "+strconv.Quote(it.Tag))
		}
		var v string
		if err := json.Unmarshal(it.Value, &v); err != nil {
			return nil, apiErr(codeProfileValueType, it.Tag+" takes a string")
		}
		if len(v) > MaxProfileBytes {
			return nil, apiErr(codeProfileTooLong, it.Tag+" is longer than 500 bytes")
		}
		switch it.Tag {
		case TagNick:
			cmd.Name = &v
		case TagImage:
			cmd.Avatar = &v
		case TagAllowType:
			if !domain.ValidAllowType(v) {
				return nil, apiErr(codeProfileBadValue, "Tag_Profile_IM_AllowType must be AllowType_Type_AllowAny, AllowType_Type_NeedConfirm or AllowType_Type_DenyAny")
			}
			cmd.AllowType = &v
		}
	}
	// The writer refuses an account not imported (ErrUserNotRegistered).
	if r := c.Execute(ctx, []domain.Command{cmd})[0]; r.Err != nil {
		if errors.Is(r.Err, domain.ErrUserNotRegistered) {
			return nil, apiErr(codeProfileNoAccount, "From_Account is not imported")
		}
		return nil, r.Err
	}
	return &Envelope{}, nil
}

// profileTag is a tag and value of a profile as portrait_get answers it.
type profileTag struct {
	Tag   string `json:"Tag"`
	Value string `json:"Value"`
}

type userProfile struct {
	To_Account  string       `json:"To_Account"` //nolint:revive // the wire name
	ProfileItem []profileTag `json:"ProfileItem"`
	ResultCode  int          `json:"ResultCode"`
	ResultInfo  string       `json:"ResultInfo"`
}

func (s *Server) portraitGet(_ context.Context, c *call) (response, error) {
	var req struct {
		To_Account []string //nolint:revive // the wire name
		TagList    []string
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if len(req.To_Account) == 0 {
		return nil, apiErr(codeProfileNoneAsked, "To_Account is empty")
	}
	if len(req.To_Account) > MaxAccountsPerCall {
		return nil, paramErr(c, "To_Account holds more than "+strconv.Itoa(MaxAccountsPerCall)+" accounts")
	}
	if len(req.TagList) == 0 {
		return nil, paramErr(c, "TagList is empty")
	}
	for _, t := range req.TagList {
		if !slices.Contains(profileTags, t) {
			return nil, apiErr(codeProfileUnknownTag, "unknown profile tag "+strconv.Quote(t))
		}
	}
	resp := struct {
		Envelope
		UserProfileItem []userProfile `json:"UserProfileItem"`
		Fail_Account    []string      `json:"Fail_Account,omitempty"` //nolint:revive // the wire name
	}{UserProfileItem: []userProfile{}}
	for _, id := range req.To_Account {
		up := userProfile{To_Account: id, ProfileItem: []profileTag{}}
		u, ok := s.cfg.Read.User(c.App.Name, id)
		if checkID(id) != "" || !ok {
			up.ResultCode, up.ResultInfo = codeProfileNoAccount, "Err_Profile_Account_Not_Exist"
			resp.Fail_Account = append(resp.Fail_Account, id)
			resp.UserProfileItem = append(resp.UserProfileItem, up)
			continue
		}
		for _, t := range req.TagList {
			var v string
			switch t {
			case TagNick:
				v = u.Name
			case TagImage:
				v = u.Avatar
			case TagAllowType:
				v = domain.AllowTypeOf(u.AllowType)
			}
			up.ProfileItem = append(up.ProfileItem, profileTag{t, v})
		}
		resp.UserProfileItem = append(resp.UserProfileItem, up)
	}
	return &resp, nil
}
