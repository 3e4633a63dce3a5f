package tencent

import _ "embed"

// OpenAPI is Tencent Cloud's OpenAPI 3.0.3 description of the Chat REST
// API, from the MIT-licensed TencentCloud/tencentcloud-im-sdk-java
// repository (commit af17261, "Copyright (c) 2022 Tencent Cloud"),
// unchanged. Amity serves it at /openapi/tencent.yaml, and its tests
// validate every request and answer of the Tencent surface against it
// (docs/tencent.md says where the wire differs from it).
//
//go:embed openapi.yaml
var OpenAPI []byte
