package native

import (
	"errors"
	"net/http"
	"testing"

	"github.com/amity-im/amity/domain"
)

// TestEveryDomainErrorHasACode fails when a domain error has no /v1 code
// and message (the console shows /v1's), or a final refusal would be a 5xx.
func TestEveryDomainErrorHasACode(t *testing.T) {
	for _, e := range domain.Errors {
		if errors.Is(e.Err, domain.ErrInternal) {
			continue
		}
		var ae *apiError
		if !errors.As(domainError(domain.Errorf(e.Err, "detail")), &ae) {
			t.Fatalf("domainError(%s) is not an *apiError", e.Code)
		}
		if ae.status >= http.StatusInternalServerError || ae.code == "internal" || ae.msg == "" {
			t.Errorf("%s answers %d %q %q, want a 4xx with a code and a message", e.Code, ae.status, ae.code, ae.msg)
		}
	}
}
