package yunxin

import _ "embed"

// OpenAPI is the OpenAPI 3 description of the Yunxin surface, served at
// /openapi/yunxin.yaml: every path the table serves, the v1 form API at
// both of its paths and the v2 API below each of its prefixes. The tests
// validate the Yunxin calls against it, and hold it to name exactly the
// operations the table serves.
//
//go:embed openapi.yaml
var OpenAPI []byte
