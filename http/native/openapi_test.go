package native

import (
	"testing"

	"github.com/amity-im/amity/internal/testenv"
)

// TestRoutesAreTheOpenAPIOperations: /v1's description names exactly the
// routes its table serves.
func TestRoutesAreTheOpenAPIOperations(t *testing.T) {
	testenv.SameOperations(t, Routes(Config{}), OpenAPI, nil)
}
