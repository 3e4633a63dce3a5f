package tencent

import (
	"errors"
	"testing"

	"github.com/amity-im/amity/domain"
)

// TestEveryDomainErrorHasACode fails when a domain error has no entry in
// the Tencent table, or when a final refusal would be answered as an
// internal error.
func TestEveryDomainErrorHasACode(t *testing.T) {
	for _, e := range domain.Errors {
		err := domain.Errorf(e.Err, "detail")
		matched := false
		for _, m := range domainCodes {
			if errors.Is(err, m.err) {
				matched = true
				break
			}
		}
		code, reason, _ := codeOf(err)
		switch {
		case !matched && !domain.Retryable(err):
			t.Errorf("%s has no Tencent code (answered %d %s)", e.Code, code, reason)
		case code == codeSNSInternal && !domain.Retryable(err):
			t.Errorf("%s is final but answered %d (internal)", e.Code, code)
		}
	}
}
