// SPDX-License-Identifier: GPL-2.0-or-later
//
// goprof: writes Go's own profiles of known shape, for flametop's pprof
// importer (tests/e2e/import-pprof.sh). Every split is a split of work,
// never of time:
//
//	cpu.pb.gz        burnHeavy does 3x the iterations of burnLight
//	heap.pb.gz       allocHeavy allocates (and keeps) 3x the bytes and
//	                 objects of allocLight (every allocation sampled)
//	block.pb.gz      blockHeavy waits on a channel 3x as often as blockLight
//	mutex.pb.gz      a lock held by mutexHeavy is waited for 3x as often as
//	                 one held by mutexLight
//	goroutine.pb.gz  30 goroutines parked in parkHeavy, 10 in parkLight
//
// Usage: goprof DIR [CPU_ITERATIONS]
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

var sink uint64

//go:noinline
func spin(n int) {
	x := sink
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	sink = x
}

//go:noinline
func burnHeavy(n int) { spin(3 * n) }

//go:noinline
func burnLight(n int) { spin(n) }

var kept [][]byte

//go:noinline
func allocHeavy() {
	for i := 0; i < 3000; i++ {
		kept = append(kept, make([]byte, 4096))
	}
}

//go:noinline
func allocLight() {
	for i := 0; i < 1000; i++ {
		kept = append(kept, make([]byte, 4096))
	}
}

// parked reports whether a goroutine other than the caller is blocked
// (not running, runnable or in a system call) with fn on its stack: fn
// waits, and the time it waits counts as a wait in Go's profiles.
func parked(fn string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		header, frames, _ := strings.Cut(g, "\n")
		if strings.Contains(header, "[running") || strings.Contains(header, "[runnable") ||
			strings.Contains(header, "[syscall") {
			continue
		}
		if strings.HasPrefix(frames, fn+"(") || strings.Contains(frames, "\n"+fn+"(") {
			return true
		}
	}
	return false
}

// untilParked returns once parked(fn), however long a busy machine takes
// to get there.
func untilParked(fn string) {
	for !parked(fn) {
		time.Sleep(50 * time.Microsecond)
	}
}

// hold is how long a waiter waits once it is parked: long enough that the
// scheduling delays of a busy machine are small beside it.
const hold = 5 * time.Millisecond

// waitOn receives n values, each sent once the receiver is parked on the
// channel: n waits, whatever the machine's load (a value sent before the
// receiver got there would be received without a wait).
//
//go:noinline
func waitOn(n int) {
	ch := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			untilParked("main.waitOn")
			time.Sleep(hold)
			ch <- i
		}
	}()
	for i := 0; i < n; i++ {
		<-ch
	}
}

//go:noinline
func blockHeavy() { waitOn(30) }

//go:noinline
func blockLight() { waitOn(10) }

// contend makes n lock calls wait for a holder, started with hold, that
// keeps the lock until the call is parked waiting for it, and a little
// longer. Go's mutex profile names the stack that unlocks: hold's.
//
//go:noinline
func contend(mu *sync.Mutex, n int, hold func(mu *sync.Mutex, held, done chan struct{})) {
	for i := 0; i < n; i++ {
		held := make(chan struct{})
		done := make(chan struct{})
		go hold(mu, held, done)
		<-held
		mu.Lock()
		mu.Unlock()
		<-done
	}
}

//go:noinline
func holdFor(mu *sync.Mutex, held, done chan struct{}) {
	mu.Lock()
	close(held)
	// Only contend's Lock can wait for it; parked, not spinning.
	untilParked("sync.(*Mutex).lockSlow")
	time.Sleep(hold)
	mu.Unlock()
	close(done)
}

//go:noinline
func mutexHeavy(mu *sync.Mutex, held, done chan struct{}) { holdFor(mu, held, done) }

//go:noinline
func mutexLight(mu *sync.Mutex, held, done chan struct{}) { holdFor(mu, held, done) }

var park = make(chan struct{})

//go:noinline
func parkHeavy(wg *sync.WaitGroup) { wg.Done(); <-park }

//go:noinline
func parkLight(wg *sync.WaitGroup) { wg.Done(); <-park }

func write(dir, name string) {
	f, err := os.Create(filepath.Join(dir, name+".pb.gz"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goprof DIR [CPU_ITERATIONS]")
		os.Exit(2)
	}
	dir := os.Args[1]
	iterations := 200000000
	if len(os.Args) > 2 {
		iterations, _ = strconv.Atoi(os.Args[2])
	}

	runtime.MemProfileRate = 1
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	f, err := os.Create(filepath.Join(dir, "cpu.pb.gz"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Alternate in slices, so that a sampling period cannot favour one.
	for i := 0; i < 100; i++ {
		burnHeavy(iterations / 100)
		burnLight(iterations / 100)
	}
	pprof.StopCPUProfile()
	f.Close()

	allocHeavy()
	allocLight()
	runtime.GC()
	write(dir, "heap")

	blockHeavy()
	blockLight()
	write(dir, "block")

	var mu sync.Mutex
	contend(&mu, 30, mutexHeavy)
	contend(&mu, 10, mutexLight)
	write(dir, "mutex")

	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go parkHeavy(&wg)
	}
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go parkLight(&wg)
	}
	wg.Wait()
	write(dir, "goroutine")
	runtime.KeepAlive(kept)
}
