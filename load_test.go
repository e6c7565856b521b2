package secc

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The build's identity is stable within a process and names the version.
func TestCodeID(t *testing.T) {
	a, b := codeID(), codeID()
	assert.Equal(t, a, b)
	assert.Contains(t, a, Version)
}
