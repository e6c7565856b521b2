// The real library is only built in with the libseccomp build tag (see
// libseccomp.go); without it the package is empty, so tests and tools that
// name it still build.

package libseccomp
