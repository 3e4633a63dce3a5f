package tencent

import (
	"context"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// Account API limits.
const (
	MaxAccountsPerCall = 100
	MaxProfileBytes    = 500
)

type accountInfo struct {
	UserID     string
	Identifier string // the key of old clients, read when UserID is absent
	Nick       string
	FaceUrl    string //nolint:revive // the wire name
}

func (a accountInfo) id() string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.Identifier
}

// importCommand validates an account and returns its upsert command.
func importCommand(a accountInfo) (domain.Command, *Error) {
	if msg := checkID(a.id()); msg != "" {
		return nil, apiErr(codeInvalidParams, msg)
	}
	if len(a.Nick) > MaxProfileBytes || len(a.FaceUrl) > MaxProfileBytes {
		return nil, apiErr(codeProfileTooLong, "Nick or FaceUrl is longer than 500 bytes")
	}
	return domain.RegisterUser{User: a.id(), Name: a.Nick, Avatar: a.FaceUrl, Upsert: true}, nil
}

func (s *Server) accountImport(ctx context.Context, c *call) (response, error) {
	var req accountInfo
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	cmd, aerr := importCommand(req)
	if aerr != nil {
		return nil, aerr
	}
	if r := c.Execute(ctx, []domain.Command{cmd})[0]; r.Err != nil {
		return nil, r.Err
	}
	return &Envelope{}, nil
}

func (s *Server) multiAccountImport(ctx context.Context, c *call) (response, error) {
	var req struct {
		Accounts    []string
		AccountList []accountInfo
	}
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	list := req.AccountList
	for _, id := range req.Accounts {
		list = append(list, accountInfo{UserID: id})
	}
	if len(list) == 0 || len(list) > MaxAccountsPerCall {
		return nil, paramErr(c, "Accounts or AccountList must hold 1 to "+strconv.Itoa(MaxAccountsPerCall)+" accounts")
	}
	resp := struct {
		Envelope
		FailAccounts []string `json:"FailAccounts"`
	}{FailAccounts: []string{}}
	var batch amityhttp.Batch[string]
	for _, a := range list {
		cmd, aerr := importCommand(a)
		if aerr != nil {
			resp.FailAccounts = append(resp.FailAccounts, a.id())
			continue
		}
		batch.Add(a.id(), cmd)
	}
	amityhttp.RunBatch(ctx, c, &batch, func(id string, _ error) { resp.FailAccounts = append(resp.FailAccounts, id) })
	return &resp, nil
}

type accountResult struct {
	UserID        string
	ResultCode    int
	ResultInfo    string
	AccountStatus string `json:",omitempty"`
}

type accountItems struct {
	Envelope
	ResultItem []accountResult
}

// accountIDs decodes the {field: [{UserID}]} body of account_check and
// account_delete.
func accountIDs(c *call, field string) ([]string, error) {
	var req map[string][]struct{ UserID string }
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	items := req[field]
	if len(items) == 0 || len(items) > MaxAccountsPerCall {
		return nil, paramErr(c, field+" must hold 1 to "+strconv.Itoa(MaxAccountsPerCall)+" accounts")
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.UserID
	}
	return ids, nil
}

func (s *Server) accountCheck(_ context.Context, c *call) (response, error) {
	ids, err := accountIDs(c, "CheckItem")
	if err != nil {
		return nil, err
	}
	resp := &accountItems{ResultItem: make([]accountResult, len(ids))}
	for i, id := range ids {
		r := accountResult{UserID: id, AccountStatus: "NotImported"}
		if msg := checkID(id); msg != "" {
			r.ResultCode, r.ResultInfo, r.AccountStatus = codeInvalidParams, msg, ""
		} else if s.cfg.Read.Registered(c.App.Name, id) {
			r.AccountStatus = "Imported"
		}
		resp.ResultItem[i] = r
	}
	return resp, nil
}

func (s *Server) accountDelete(ctx context.Context, c *call) (response, error) {
	ids, err := accountIDs(c, "DeleteItem")
	if err != nil {
		return nil, err
	}
	resp := &accountItems{ResultItem: make([]accountResult, len(ids))}
	var batch amityhttp.Batch[int]
	for i, id := range ids {
		resp.ResultItem[i].UserID = id
		if msg := checkID(id); msg != "" {
			resp.ResultItem[i].ResultCode, resp.ResultItem[i].ResultInfo = codeInvalidParams, msg
			continue
		}
		batch.Add(i, domain.DeleteUser{User: id})
	}
	amityhttp.RunBatch(ctx, c, &batch, func(i int, err error) {
		code, _, msg := codeOf(err)
		if code == codeAccountNotExist {
			code = codeAccountUnknown
		}
		resp.ResultItem[i].ResultCode, resp.ResultItem[i].ResultInfo = code, msg
	})
	return resp, nil
}
