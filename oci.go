package secc

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secc-lang/secc/compiler/filter"
)

// AnnotationKey is the OCI annotation crun (0.18 and later) reads a ready
// filter from: Raw in base64. crun then skips the rules of linux.seccomp
// but still loads with its flags. runc does not know it.
const AnnotationKey = filter.OCIAnnotationKey

// SpecFilter is a policy compiled for one container.
type SpecFilter struct {
	Program *Program
	// Annotation is the value for AnnotationKey.
	Annotation string
	// Flags are the spec's linux.seccomp.flags, which crun passes to
	// seccomp(2) with the filter (ParseLoadFlags reads them).
	Flags []string
	// Caps is the bounding set the policy was compiled with.
	Caps []string
}

// ociSpec holds the fields of an OCI runtime spec that decide a filter.
// The rest of config.json is kept byte for byte by Apply.
type ociSpec struct {
	Process *struct {
		Capabilities *struct {
			Bounding []string `json:"bounding"`
		} `json:"capabilities"`
	} `json:"process"`
	Linux *struct {
		Seccomp *struct {
			Flags []string `json:"flags"`
		} `json:"seccomp"`
	} `json:"linux"`
}

// ForSpec compiles a policy (.sec or JSON profile) for the container the
// OCI runtime spec describes (config.json). The spec's bounding set
// (process.capabilities.bounding) replaces opts.Caps: each capability in
// it is defined as a symbol, so `#ifdef CAP_SYS_ADMIN` sections and a JSON
// profile's includes.caps follow what the container may do. The target's
// ARCH_ symbols are defined as for every compilation. With opts.CacheDir
// the filter is looked up and stored there.
//
// Use Apply to write the result into the spec.
func ForSpec(name string, policy, spec []byte, opts Options) (*SpecFilter, error) {
	var s ociSpec
	if err := json.Unmarshal(spec, &s); err != nil {
		return nil, fmt.Errorf("OCI spec: %w", err)
	}
	var bounding []string
	if s.Process != nil && s.Process.Capabilities != nil {
		for _, c := range s.Process.Capabilities.Bounding {
			c = strings.ToUpper(strings.TrimSpace(c))
			if !strings.HasPrefix(c, "CAP_") {
				c = "CAP_" + c
			}
			bounding = append(bounding, c)
		}
	}
	opts.Caps = nil
	st, err := resolve(name, policy, opts)
	if err != nil {
		return nil, err
	}
	// Set directly rather than through Options.Caps: a capability newer
	// than secc's list is still a valid symbol to define.
	st.src.Caps = bounding
	var prog *Program
	if opts.CacheDir != "" {
		prog, err = st.compileCached(opts.CacheDir)
	} else {
		prog, err = st.compile()
	}
	if err != nil {
		return nil, err
	}
	f := &SpecFilter{Program: prog, Annotation: prog.Base64(), Caps: bounding}
	if s.Linux != nil && s.Linux.Seccomp != nil {
		f.Flags = s.Linux.Seccomp.Flags
	}
	return f, nil
}

// Apply returns spec with the filter in its annotations (other
// annotations and every other field kept), ready for crun.
func (f *SpecFilter) Apply(spec []byte) ([]byte, error) {
	return SetAnnotation(spec, AnnotationKey, f.Annotation)
}

// SetAnnotation returns an OCI spec with annotations[key] = value. Other
// fields keep their exact JSON (large numbers included); keys are sorted
// and the result is indented.
func SetAnnotation(spec []byte, key, value string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(spec, &top); err != nil {
		return nil, fmt.Errorf("OCI spec: %w", err)
	}
	if top == nil {
		return nil, fmt.Errorf("OCI spec: not a JSON object")
	}
	ann := map[string]string{}
	if raw, ok := top["annotations"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &ann); err != nil {
			return nil, fmt.Errorf("OCI spec: annotations: %w", err)
		}
	}
	ann[key] = value
	raw, err := json.Marshal(ann)
	if err != nil {
		return nil, err
	}
	top["annotations"] = raw
	out, err := json.MarshalIndent(top, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
