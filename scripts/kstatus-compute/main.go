// kstatus-compute prints what sigs.k8s.io/cli-utils' kstatus (the rules Flux's health checks apply) makes of
// one Kubernetes object, read as JSON from stdin: {"status":"InProgress|Failed|Current|Terminating|…","message":"…"}.
// The tests check the Canary's conditions, and the test helper test/support/kstatus.ts, against it.
// Built by scripts/install-toolchain.sh into the toolchain cache, never into the repository.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// version is the cli-utils version, set at build time.
var version = "unknown"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("kstatus-compute sigs.k8s.io/cli-utils " + version)
		return
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(2, err)
	}
	// Unstructured's own decoding keeps integers as int64, as kstatus reads generations.
	object := &unstructured.Unstructured{}
	if err := object.UnmarshalJSON(data); err != nil {
		fail(2, err)
	}
	result, err := status.Compute(object)
	if err != nil {
		fail(1, err)
	}
	out, _ := json.Marshal(map[string]string{"status": result.Status.String(), "message": result.Message})
	fmt.Println(string(out))
}

func fail(code int, err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(code)
}
