package native

import _ "embed"

// OpenAPI is the OpenAPI 3 description of /v1, served at
// /openapi/v1.yaml; the tests validate the /v1 scenarios against it.
//
//go:embed openapi.yaml
var OpenAPI []byte
