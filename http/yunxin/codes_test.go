package yunxin

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/internal/testenv"
)

// TestEveryDomainErrorHasACode fails when a domain error has no entry in
// the Yunxin table, or when a final refusal would be answered 500.
func TestEveryDomainErrorHasACode(t *testing.T) {
	testenv.EveryDomainErrorHasACode(t, "Yunxin", func(err error) bool {
		for _, m := range domainCodes {
			if errors.Is(err, m.err) {
				return true
			}
		}
		return false
	}, func(err error) bool { code, _ := codeOf(err); return code == codeServer })
}

// TestV2AnswersOnlyV2Codes: every final domain error is answered on v2
// with a six-digit code or one of v2's general codes, never with a code
// only v1 uses; the ones v2Codes names keep their own.
func TestV2AnswersOnlyV2Codes(t *testing.T) {
	general := map[int]bool{codeForbidden: true, codeNotFound: true, codeParam: true, codeFrequency: true, codeServer: true, codeBusy: true}
	for _, e := range domain.Errors {
		err := domain.Errorf(e.Err, "detail")
		if domain.Retryable(err) {
			continue
		}
		code, _ := v2CodeOf(err)
		if code < 100000 && !general[code] {
			t.Errorf("%s: v2 code %d is not one v2 answers", e.Code, code)
		}
	}
	for _, c := range []struct {
		err  error
		want int
	}{
		{domain.ErrNotFriend, 104404}, {domain.ErrFriendLimit, 104435}, {domain.ErrPeerFriendLimit, 104301},
		{domain.ErrBlockLimit, 106435}, {domain.ErrMuteLimit, 105435}, {domain.ErrRequestNotWaiting, 104302},
		{kindErr(codeParam, "same", errBlockSelf), 106429}, {kindErr(codeParam, "same", domain.ErrSelf), 104429},
		{apiErr(codeTooLong, "long"), codeParam},
	} {
		if got, _ := v2CodeOf(domain.Errorf(c.err, "detail")); got != c.want {
			t.Errorf("v2 code of %v = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestRoutesAreTheOpenAPIOperations: the OpenAPI description names every
// path the table serves, with its method, and nothing else.
func TestRoutesAreTheOpenAPIOperations(t *testing.T) {
	testenv.SameOperations(t, New(amityhttp.Deps{}).Routes(), OpenAPI, nil)
}

// TestCheckSumVector is the spec's checkable vector: AppSecret
// c8f2d3b5e9a1, Nonce 4tgggergigwow323t23t, CurTime 1443592222.
func TestCheckSumVector(t *testing.T) {
	if got, want := CheckSum("c8f2d3b5e9a1", "4tgggergigwow323t23t", "1443592222"), "a76fe773b0ebda1058a4a659edf68ff8a0658009"; got != want {
		t.Errorf("CheckSum = %s, want %s", got, want)
	}
	h := http.Header{}
	Sign(h, "key", "c8f2d3b5e9a1", "4tgggergigwow323t23t", time.Unix(1443592222, 0))
	if h.Get("Checksum") != "a76fe773b0ebda1058a4a659edf68ff8a0658009" || h.Get("Curtime") != "1443592222" || h.Get("Appkey") != "key" {
		t.Errorf("Sign set %v", h)
	}
}
