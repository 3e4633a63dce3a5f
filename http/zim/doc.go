// Package zim serves the ZEGOCLOUD ZIM server API (the user and friend
// actions) at /?Action=<Name> on Amity's core: the exact request and
// response shapes, the per-item failure lists, the partial-failure rule
// (Code 0 when any item succeeded) and ZIM's return codes, which every
// answer carries with HTTP 200 as the platform does.
//
// Every call is authenticated with the app's ServerSecret: the MD5 signature
// of AppId, SignatureNonce, ServerSecret and Timestamp, a Timestamp within
// ten minutes, and a nonce that is accepted once. Each app and action has its
// own rate limit.
package zim
