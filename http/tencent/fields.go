package tencent

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/amity-im/amity/domain"
)

// Limits of Tencent's friend fields.
const (
	MaxRemarkBytes      = 96
	MaxWordingBytes     = 256
	MaxGroupNameBytes   = 30
	MaxCustomValueBytes = 500
)

// Standard friend tags.
const (
	tagGroup      = "Tag_SNS_IM_Group"
	tagRemark     = "Tag_SNS_IM_Remark"
	tagAddSource  = "Tag_SNS_IM_AddSource"
	tagAddWording = "Tag_SNS_IM_AddWording"
	tagAddTime    = "Tag_SNS_IM_AddTime"
	tagRemarkTime = "Tag_SNS_IM_RemarkTime"
	tagNick       = "Tag_Profile_IM_Nick"
	tagImage      = "Tag_Profile_IM_Image"
	customPrefix  = "Tag_SNS_Custom_"
	profilePrefix = "Tag_Profile_"
)

var addSource = regexp.MustCompile(`^AddSource_Type_[A-Za-z]{1,8}$`)

// TagValue is one tag of a friend's data on the wire.
type TagValue struct {
	Tag   string `json:"Tag"`
	Value any    `json:"Value"`
}

// checkGroups refuses an empty group name or one over 30 bytes.
func checkGroups(groups []string) string {
	for _, g := range groups {
		if g == "" || len(g) > MaxGroupNameBytes {
			return "a group name must be 1 to 30 bytes"
		}
	}
	if len(groups) > domain.MaxFriendGroups {
		return "more than 32 groups"
	}
	return ""
}

// checkEntryText refuses a remark over 96 bytes or a wording over 256.
func checkEntryText(remark, wording string) string {
	if len(remark) > MaxRemarkBytes {
		return "Remark is longer than 96 bytes"
	}
	if len(wording) > MaxWordingBytes {
		return "AddWording is longer than 256 bytes"
	}
	return ""
}

// customField checks a custom field's tag and value for app.
func customField(app *App, tag string, raw json.RawMessage) (domain.CustomValue, string) {
	var v domain.CustomValue
	if !slices.Contains(app.CustomFields, tag) {
		return v, "custom field " + tag + " is not declared for this app"
	}
	if err := v.UnmarshalJSON(raw); err != nil {
		return v, err.Error()
	}
	if !v.IsInt && len(v.Str) > MaxCustomValueBytes {
		return v, "custom field value is longer than 500 bytes"
	}
	return v, ""
}

// setCustom stores a custom field on e: in the ZIM attribute it is mapped
// to, as text, or among the entry's custom fields.
func setCustom(app *App, attrs map[string]string, custom map[string]domain.CustomValue, tag string, v domain.CustomValue) {
	if k, ok := app.ZIMAttributes[tag]; ok {
		attrs[k] = v.String()
		return
	}
	custom[tag] = v
}

// customValues returns e's custom fields in the app's declared order.
func customValues(app *App, e domain.Entry) []TagValue {
	var out []TagValue
	for _, tag := range app.CustomFields {
		if v, ok := customValue(app, e, tag); ok {
			out = append(out, TagValue{tag, v})
		}
	}
	return out
}

func customValue(app *App, e domain.Entry, tag string) (any, bool) {
	if k, ok := app.ZIMAttributes[tag]; ok {
		v, ok := e.Attributes[k]
		return v, ok
	}
	v, ok := e.Custom[tag]
	if !ok {
		return nil, false
	}
	if v.IsInt {
		return v.Int, true
	}
	return v.Str, true
}

// standardValues returns e's standard friend fields that are set.
func standardValues(e domain.Entry) []TagValue {
	out := []TagValue{{tagAddTime, e.CreateTime / 1000}}
	if len(e.Groups) > 0 {
		out = append(out, TagValue{tagGroup, e.Groups})
	}
	if e.Alias != "" {
		out = append(out, TagValue{tagRemark, e.Alias})
	}
	if e.AddSource != "" {
		out = append(out, TagValue{tagAddSource, e.AddSource})
	}
	if e.Wording != "" {
		out = append(out, TagValue{tagAddWording, e.Wording})
	}
	if e.RemarkTime != 0 {
		out = append(out, TagValue{tagRemarkTime, e.RemarkTime / 1000})
	}
	return out
}

// tagValue answers one requested tag of friend_get_list; ok is false for a
// profile tag Amity keeps no data for.
func tagValue(app *App, u domain.User, e domain.Entry, tag string) (any, bool) {
	switch tag {
	case tagNick:
		return u.Name, true
	case tagImage:
		return u.Avatar, true
	case tagGroup:
		if e.Groups == nil {
			return []string{}, true
		}
		return e.Groups, true
	case tagRemark:
		return e.Alias, true
	case tagAddSource:
		return e.AddSource, true
	case tagAddWording:
		return e.Wording, true
	case tagAddTime:
		return e.CreateTime / 1000, true
	case tagRemarkTime:
		return e.RemarkTime / 1000, true
	}
	if strings.HasPrefix(tag, customPrefix) {
		return customValue(app, e, tag)
	}
	return nil, false
}

// knownTag reports whether friend_get_list accepts tag.
func knownTag(app *App, tag string) bool {
	switch tag {
	case tagGroup, tagRemark, tagAddSource, tagAddWording, tagAddTime, tagRemarkTime:
		return true
	}
	return strings.HasPrefix(tag, profilePrefix) || slices.Contains(app.CustomFields, tag)
}
