package filter

// LoadFlags are the SECCOMP_FILTER_FLAG_* options of Load.
type LoadFlags struct {
	TSync       bool // apply to every thread of the process
	Log         bool // log every action except ALLOW
	SpecAllow   bool // do not turn on speculative store bypass mitigation
	NewListener bool // return a user-notification descriptor for NOTIFY
}
