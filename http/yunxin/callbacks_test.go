package yunxin

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
)

// TestCallbacksSignedAsYunxinSigns: each change is one callback named by
// its Yunxin notice, and every callback carries AppKey, CurTime (ms), MD5
// of the body and CheckSum = SHA-1(secret + MD5 + CurTime), which a
// backend checks as Yunxin's own integrations do.
func TestCallbacksSignedAsYunxinSigns(t *testing.T) {
	type got struct {
		h    http.Header
		body []byte
	}
	recv := make(chan got, 16)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		recv <- got{r.Header.Clone(), b}
	}))
	defer backend.Close()
	now := time.UnixMilli(1_767_225_600_123)
	style := Callbacks{AppKeys: map[string]string{"a": "the-app-key"}}
	app := &domain.App{Name: "a", Callback: &domain.Callback{URL: backend.URL, Style: "yunxin", Secret: "the-secret"}}
	at := time.UnixMilli(1_767_225_000_000)
	ev := func(d domain.Payload) domain.Event {
		return domain.Event{ID: "e-" + d.Type(), Type: d.Type(), App: "a", Time: at, Data: d}
	}
	ds := style.Deliveries(app, 9, domain.Commit{ID: "c", App: "a", Events: []domain.Event{
		ev(domain.FriendAdded{User: "x", Friend: "y", Entry: &domain.Entry{Wording: "hi"}, Reverse: &domain.Entry{}}),
		ev(domain.FriendRequestSent{User: "x", Target: "z", Entry: domain.Entry{Wording: "hello"}}),
		ev(domain.FriendRequestRejected{User: "z", From: "x"}),
		ev(domain.FriendDeleted{User: "x", Friend: "y"}),
		ev(domain.UserMuted{User: "x", Target: "y"}),
		ev(domain.FriendAdded{User: "x", Friend: "w", Entry: &domain.Entry{}, Imported: true}),
	}})
	var types []string
	for _, d := range ds {
		types = append(types, d.Command)
	}
	if want := []string{"addFriend", "applyFriend", "rejectFriendApply", "deleteFriend", "setSpecialRelation"}; len(types) != len(want) || types[0] != want[0] || types[4] != want[4] {
		t.Fatalf("callbacks %v, want %v (an imported add sends none)", types, want)
	}
	s := &delivery.Sender{Client: backend.Client(), Now: func() time.Time { return now }, Styles: map[string]delivery.Style{"yunxin": style}}
	for _, d := range ds {
		if err := s.Send(context.Background(), app, d); err != nil {
			t.Fatal(err)
		}
		g := <-recv
		sum := md5.Sum(g.body)
		bodyMD5 := hex.EncodeToString(sum[:])
		if g.h.Get("AppKey") != "the-app-key" || g.h.Get("CurTime") != "1767225600123" || g.h.Get("MD5") != bodyMD5 ||
			g.h.Get("CheckSum") != CallbackCheckSum("the-secret", bodyMD5, "1767225600123") {
			t.Errorf("%s: headers %v", d.Command, g.h)
		}
		var body map[string]any
		if err := json.Unmarshal(g.body, &body); err != nil || body["type"] != d.Command || body["eventId"] != d.EventID || body["seq"] != float64(9) {
			t.Errorf("%s: body %s", d.Command, g.body)
		}
	}
	// A vector worked out apart (sha1sum of "secret" + md5 of "{}" +
	// "1608110108512"): the body of Yunxin's own address check is {}.
	if got := CallbackCheckSum("secret", "99914b932bd37a50b983c5e7c90ae93b", "1608110108512"); got != "56799d429ca9a147ab0c84d23368ca2c51b2ec05" {
		t.Errorf("CallbackCheckSum vector = %s", got)
	}
}
