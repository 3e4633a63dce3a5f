package tencent

import (
	"errors"
	"testing"

	"github.com/amity-im/amity/internal/testenv"
)

// TestEveryDomainErrorHasACode fails when a domain error has no entry in
// the Tencent table, or when a final refusal would be answered as an
// internal error.
func TestEveryDomainErrorHasACode(t *testing.T) {
	testenv.EveryDomainErrorHasACode(t, "Tencent", func(err error) bool {
		for _, m := range domainCodes {
			if errors.Is(err, m.err) {
				return true
			}
		}
		return false
	}, func(err error) bool { code, _, _ := codeOf(err); return code == codeSNSInternal })
}
