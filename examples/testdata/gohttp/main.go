// Command gohttp is the program of go-http.sec: an HTTP service on
// loopback. It prints its address, serves until a request for / arrives,
// answers it and exits. /packet tries to open a raw packet socket, which
// the policy forbids, and reports what happened.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
		close(done)
	})
	mux.HandleFunc("/packet", func(w http.ResponseWriter, r *http.Request) {
		fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, 0)
		if err != nil {
			fmt.Fprintln(w, "packet socket:", err)
			return
		}
		syscall.Close(fd)
		fmt.Fprintln(w, "packet socket: opened")
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	<-done
	srv.Close()
}
