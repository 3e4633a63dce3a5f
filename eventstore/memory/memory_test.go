package memory_test

import (
	"testing"

	"github.com/amity-im/amity/eventstore/memory"
	"github.com/amity-im/amity/eventstore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) storetest.Store { return memory.New() })
}
