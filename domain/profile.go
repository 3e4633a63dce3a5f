package domain

import "time"

// Who may add a user as a friend without asking (Tencent's
// Tag_Profile_IM_AllowType). A user who never set it allows anyone.
const (
	AllowAny    = "AllowType_Type_AllowAny"
	NeedConfirm = "AllowType_Type_NeedConfirm"
	DenyAny     = "AllowType_Type_DenyAny"
)

// AllowTypeOf is the AllowType a user's stored one ("" when never set)
// stands for.
func AllowTypeOf(stored string) string {
	if stored == "" {
		return AllowAny
	}
	return stored
}

// ValidAllowType reports whether s is one of the three AllowType values.
func ValidAllowType(s string) bool { return s == AllowAny || s == NeedConfirm || s == DenyAny }

// UserProfileUpdated records a change to a registered user's profile: each
// field that is set replaces its value.
type UserProfileUpdated struct {
	User      string  `json:"user"`
	Name      *string `json:"name,omitempty"`
	Avatar    *string `json:"avatar,omitempty"`
	Extra     *string `json:"extra,omitempty"`
	AllowType *string `json:"allow_type,omitempty"`
}

func (UserProfileUpdated) Type() string { return TypeProfileUpdated }
func (UserProfileUpdated) payload()     {}

// UpdateProfile changes the profile fields that are set.
type UpdateProfile struct {
	User                           string
	Name, Avatar, Extra, AllowType *string
}

func (c UpdateProfile) Key() Key { return UserKey(c.User) }

func (c UpdateProfile) Decide(v View, _ time.Time) (Payload, error) {
	if !v.Registered(c.User) {
		return nil, ErrUserNotRegistered
	}
	if c.AllowType != nil && !ValidAllowType(*c.AllowType) {
		return nil, Errorf(ErrInvalid, "AllowType %q", *c.AllowType)
	}
	if c.Name == nil && c.Avatar == nil && c.Extra == nil && c.AllowType == nil {
		return nil, nil
	}
	return UserProfileUpdated(c), nil
}
