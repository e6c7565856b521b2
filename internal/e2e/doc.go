// Package e2e holds end-to-end tests that run secc's filters in a real OCI
// runtime: crun loads them from the run.oci.seccomp_bpf_data annotation
// (docs/JSON.md §4) and runs a busybox container under them. The tests need
// root, crun and busybox-static, and skip with the reason when one is
// missing.
package e2e
