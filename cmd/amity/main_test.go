package main

import (
	"os"
	"testing"
)

// TestMain lets a test run this test binary as the amity command itself, so
// a test can start, kill -9 and restart a real process.
func TestMain(m *testing.M) {
	if os.Getenv("AMITY_TEST_AS_MAIN") == "1" {
		os.Args = append([]string{"amity"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
