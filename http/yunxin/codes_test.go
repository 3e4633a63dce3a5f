package yunxin

import (
	"errors"
	"net/http"
	"testing"
	"time"

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
