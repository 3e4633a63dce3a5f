package zim

import _ "embed"

// OpenAPI is the OpenAPI 3 description of the ZIM surface, served at
// /openapi/zim.yaml. It describes each action at /zim/<Action> (see
// Routes); the tests validate the ZIM scenarios against it, and hold it to
// name exactly the actions the surface's table serves.
//
//go:embed openapi.yaml
var OpenAPI []byte
