package weights

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStraceTable(t *testing.T) {
	w, err := Parse([]byte(`% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 22.23    0.001527         763         2           execve
 12.75    0.000876           6       140        28 newfstatat
------ ----------- ----------- --------- --------- ----------------
100.00    0.006870          12       546        70 total
`))
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"execve": 2, "newfstatat": 140}, w)
}

func TestParseCountLines(t *testing.T) {
	w, err := Parse([]byte("# comment\n10 read\n\n5 write\n3 read\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"read": 13, "write": 5}, w)
	_, err = Parse([]byte("ten read\n"))
	assert.ErrorContains(t, err, `line 1: bad count "ten"`)
	_, err = Parse([]byte("1 2 3\n"))
	assert.ErrorContains(t, err, "line 1")
}

func TestTypicalMatchesSharedData(t *testing.T) {
	w := Typical()
	assert.Greater(t, w["read"], w["execve"])
	shared, err := os.ReadFile("../../../shared/workloads/all.txt")
	if err != nil {
		t.Skip("shared data not available")
	}
	assert.Equal(t, string(shared), string(typical), "typical.txt is a copy of ../shared/workloads/all.txt")
}

func TestRawStraceFilesParse(t *testing.T) {
	for _, name := range []string{"python", "nginx", "git"} {
		data, err := os.ReadFile("../../../shared/workloads/raw/" + name + ".strace")
		if err != nil {
			t.Skip("shared data not available")
		}
		w, err := Parse(data)
		require.NoError(t, err, name)
		assert.NotEmpty(t, w)
	}
}
