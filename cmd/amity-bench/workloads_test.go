package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestAnsweredOK reads the answers the workloads get: only an answer that
// says every item succeeded passes; the others go to encoding/json.
func TestAnsweredOK(t *testing.T) {
	for _, c := range []struct {
		answer string
		ok     bool
	}{
		{`{"Code":0,"Message":"success","RequestId":"1","ErrorList":[]}`, true},
		{`{"Code":0,"Message":"success","RequestId":"1","Successes":[{"UserId":"b1","Relation":3},{"UserId":"b2","Relation":6}],` +
			`"Succ":[{"UserId":"b1","Relation":3},{"UserId":"b2","Relation":6}],"Fails":[]}`, true},
		{`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[{"To_Account":"t1","ResultCode":0,"ResultInfo":""}],"Fail_Account":[]}`, true},
		{`{"Code":0,"Message":"success","RequestId":"1","TotalCount":1,"Next":0,"FriendInfos":[{"UserId":"b1","UserName":"","Avatar":"",` +
			`"Wording":"","FriendAlias":"","CreateTime":1700000000000,"Attributes":[{"Key":"k0","Value":"v"}]}]}`, true},
		{` { "Code" : 0 , "Data" : { "x" : [ 1.5e3 , null , true , "\u00e9" ] } } `, true},
		{`{"Code":660000002,"Message":"bad","ErrorList":[]}`, false},
		{`{"Code":0,"ErrorList":[{"UserId":"b1","SubCode":660700008}]}`, false},
		{`{"Code":0,"Fails":[{"UserId":"b1","SubCode":660300005}]}`, false},
		{`{"ActionStatus":"FAIL","ErrorCode":30001,"ErrorInfo":"bad"}`, false},
		{`{"ErrorCode":0,"ResultItem":[{"To_Account":"t1","ResultCode":0},{"To_Account":"t2","ResultCode":30010}]}`, false},
		{`{"Message":"no code"}`, false},
		{`{"Code":0,"ErrorList":[]} trailing`, false},
		{`{"Code":0,"\u0045rrorList":[{"UserId":"b1"}]}`, false},
		{`not json`, false},
	} {
		if got := answeredOK([]byte(c.answer)); got != c.ok {
			t.Errorf("answeredOK(%s) = %v, want %v", c.answer, got, c.ok)
		}
	}
}

// TestDriveCountsItsOwnCPU: a workload's row gives the load generator's
// CPU per operation, taken from this process's own use while it runs. Each
// operation does a fixed amount of work (not a wall-clock spin, which a
// busy machine would shorten), and what drive counts must be most of what
// the process used around it and no more.
func TestDriveCountsItsOwnCPU(t *testing.T) {
	var sink atomic.Uint64
	work := func(context.Context, int64, *rand.Rand) error {
		x := uint64(1)
		for range 200_000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		sink.Add(x)
		return nil
	}
	before := processCPU()
	r := drive(t.Context(), "work", 1, 300*time.Millisecond, work)
	around := processCPU() - before
	if r.ops == 0 || r.toolCPU <= 0 {
		t.Fatalf("drive: %d ops, tool CPU %s, want both above zero", r.ops, r.toolCPU)
	}
	if r.toolCPU > around || r.toolCPU < around/2 {
		t.Errorf("drive counted %s of CPU; the process used %s around it", r.toolCPU, around)
	}
	perOp := float64(r.toolCPU.Microseconds()) / float64(r.ops)
	if row := r.row(); !strings.Contains(row, fmt.Sprintf(" %.0f |", perOp)) {
		t.Errorf("row %q does not give the tool's %.0f µs per operation", row, perOp)
	}
	r.toolCPU = 0
	if row := r.row(); strings.Count(row, "—") != 4 {
		t.Errorf("row %q: with nothing measured, want a dash for cores, CPU, tool CPU and memory", row)
	}
}
