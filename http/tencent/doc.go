// Package tencent serves Tencent Cloud Chat's REST relationship chain
// (/v4/sns/*) and the account APIs it needs (/v4/im_open_login_svc/*) on
// Amity's core, so an app written against Tencent's server API works by
// changing its base URL.
//
// Every call is authenticated as Tencent authenticates it: sdkappid,
// identifier (one of the app's admins), a UserSig v2 made with the app's
// secret key, random and contenttype in the query string. Answers are HTTP
// 200 with Tencent's envelope (ActionStatus, ErrorCode, ErrorInfo and, on
// the sns APIs, ErrorDisplay) and a ResultItem for every item of a batch.
package tencent
