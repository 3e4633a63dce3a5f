package zim

import (
	"errors"
	"testing"

	"github.com/amity-im/amity/domain"
)

// TestEveryDomainErrorHasACode fails when a domain error has no entry in
// the ZIM table, or when a final refusal would be answered "retry".
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
		code, _ := codeOf(err)
		switch {
		case !matched && !domain.Retryable(err):
			t.Errorf("%s has no ZIM code (answered %d)", e.Code, code)
		case code == codeRetry && !domain.Retryable(err):
			t.Errorf("%s is final but answered %d (retry)", e.Code, code)
		}
	}
}
