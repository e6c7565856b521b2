package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

func init() {
	register("convert", "convert a JSON profile to .sec", cmdConvert)
}

func cmdConvert(args []string) int {
	fs := newFlags("convert", "secc convert [flags] PROFILE.json",
		"secc convert moby-default.json -o docker-default.sec")
	out := fs.String("o", "", "write the .sec file here (default stdout); never a partial file")
	lower := fs.Bool("lower", false, "resolve the profile for one host (--target, --caps, --kernel) instead of keeping #if conditions")
	target := fs.String("target", "", "with --lower: x86_64 or aarch64 (default: this machine's)")
	var caps listFlag
	fs.Var(&caps, "caps", "with --lower: the container's capabilities, comma separated or repeated; \"docker\" for Docker's default set")
	kernel := fs.String("kernel", "", "with --lower: the host kernel, X.Y (default: the running one)")
	enosys := fs.Bool("enosys-unknown", false, "with --lower: return ENOSYS for system calls newer than the kernel")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(os.Stderr, "secc convert: want exactly one profile (use - for stdin)")
		fs.Usage()
		return exitUsage
	}
	name := pos[0]
	data, err := readInput(name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc convert: %v\n", err)
		return exitInput
	}
	sources := diag.Sources{name: data}
	p, err := converter.Decode(name, data)
	if err != nil {
		if l, ok := err.(diag.List); ok {
			fmt.Fprint(os.Stderr, sources.FormatAll(l))
		} else {
			fmt.Fprintf(os.Stderr, "secc convert: %v\n", err)
		}
		return exitInput
	}

	var f *lang.File
	var diags diag.List
	if *lower {
		h := converter.Host{}
		if *target != "" {
			t, ok := abi.LookupTarget(*target)
			if !ok {
				fmt.Fprintf(os.Stderr, "secc convert: unknown target %q (want x86_64 or aarch64)\n", *target)
				return exitUsage
			}
			h.Target = t
		} else if hostIsArm64() {
			h.Target = abi.TargetAarch64
		}
		for _, c := range caps {
			for _, part := range strings.Split(c, ",") {
				switch part = strings.TrimSpace(part); {
				case part == "":
				case strings.EqualFold(part, "docker"):
					h.Caps = append(h.Caps, converter.DockerDefaultCaps...)
				default:
					h.Caps = append(h.Caps, strings.ToUpper(part))
				}
			}
		}
		if *kernel != "" {
			v, err := kver.Parse(*kernel)
			if err != nil {
				fmt.Fprintf(os.Stderr, "secc convert: %v\n", err)
				return exitUsage
			}
			h.Kernel = v
		}
		l, ds := p.LowerWith(h, converter.LowerOptions{EnosysUnknown: *enosys})
		diags = ds
		if !ds.HasErrors() {
			f = l.File
			var abis []string
			for _, a := range l.ABIs {
				abis = append(abis, a.Name)
			}
			f.Comments = append([]*lang.Comment{{Text: fmt.Sprintf("// %s for %s, kernel %s, capabilities %s; compile with --abi %s.",
				name, l.Target.Name, l.Kernel, strings.Join(h.Caps, ","), strings.Join(abis, ","))}}, f.Comments...)
		}
	} else {
		f, diags = p.Convert()
	}
	diags.Sort()
	fmt.Fprint(os.Stderr, sources.FormatAll(diags))
	if diags.HasErrors() {
		return exitInput
	}
	var buf bytes.Buffer
	if err := lang.Fprint(&buf, f); err != nil {
		fmt.Fprintf(os.Stderr, "secc convert: internal error: %v\n", err)
		return exitInternal
	}
	if err := writeOutput(*out, buf.Bytes(), false); err != nil {
		fmt.Fprintf(os.Stderr, "secc convert: %v\n", err)
		return exitInput
	}
	return exitOK
}

func hostIsArm64() bool {
	b, err := os.ReadFile("/proc/sys/kernel/arch")
	return err == nil && strings.TrimSpace(string(b)) == "aarch64"
}
