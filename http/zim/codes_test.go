package zim

import (
	"errors"
	"testing"

	"github.com/amity-im/amity/internal/testenv"
)

// TestEveryDomainErrorHasACode fails when a domain error has no entry in
// the ZIM table, or when a final refusal would be answered "retry".
func TestEveryDomainErrorHasACode(t *testing.T) {
	testenv.EveryDomainErrorHasACode(t, "ZIM", func(err error) bool {
		for _, m := range domainCodes {
			if errors.Is(err, m.err) {
				return true
			}
		}
		return false
	}, func(err error) bool { code, _ := codeOf(err); return code == codeRetry })
}
