package seed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// rawConn is a connection to a staging database through SQLite's C API as
// modernc.org/sqlite transpiles it, bypassing database/sql and the driver.
// The staging databases are private to one goroutine, written only by the
// seed, so it can do without what the driver adds per bound value: a
// C-heap copy and free of every string, a mutex round trip per call (the
// connection is opened NOMUTEX) and unbinding after each statement. Values
// are copied into one reusable C buffer and bound as SQLITE_STATIC.
//
// A rawConn must be used by one goroutine at a time.
type rawConn struct {
	tls      *libc.TLS
	db       uintptr
	arena    uintptr // C memory holding the text and blob values being bound
	arenaCap int
}

// cBytes returns the n bytes of C memory at p as a Go slice. p is memory
// from the C allocator, never the Go heap. (Reading the address through a
// pointer to a uintptr keeps go vet's unsafeptr check satisfied.)
func cBytes(p uintptr, n int) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
}

func openRaw(path string) (*rawConn, error) {
	c := &rawConn{tls: libc.NewTLS()}
	name, err := libc.CString(path)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	pp := c.tls.Alloc(8)
	defer c.tls.Free(8)
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, pp,
		sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	c.db = uintptr(binary.NativeEndian.Uint64(cBytes(pp, 8)))
	if rc != sqlite3.SQLITE_OK {
		err := c.errorf(rc, "open %s", path)
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *rawConn) errorf(rc int32, format string, args ...any) error {
	msg := "unknown error"
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	return fmt.Errorf("%s: %s (%d)", fmt.Sprintf(format, args...), msg, rc)
}

func (c *rawConn) close() error {
	if c.tls == nil {
		return nil
	}
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.errorf(rc, "close")
		}
		c.db = 0
	}
	if c.arena != 0 {
		libc.Xfree(c.tls, c.arena)
		c.arena = 0
	}
	c.tls.Close()
	c.tls = nil
	return err
}

// interruptOn interrupts the statement running on c when ctx ends, until
// the function it returns is called, which must be before c is closed.
// SQLite forgets an interrupt that comes while no statement runs, so a
// caller checks ctx before each statement too.
func (c *rawConn) interruptOn(ctx context.Context) (unwatch func()) {
	var mu sync.Mutex
	watching := true
	db := c.db
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !watching {
			return
		}
		// A TLS of its own: c's belongs to the goroutine running the
		// statement (sqlite3_interrupt itself may be called from any).
		tls := libc.NewTLS()
		sqlite3.Xsqlite3_interrupt(tls, db)
		tls.Close()
	})
	return func() {
		stop()
		mu.Lock()
		watching = false
		mu.Unlock()
	}
}

func (c *rawConn) exec(query string) error {
	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, q)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.errorf(rc, "%.60s", query)
	}
	return nil
}

func (c *rawConn) prepare(query string) (uintptr, error) {
	q, err := libc.CString(query)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, q)
	pp := c.tls.Alloc(8)
	defer c.tls.Free(8)
	rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, q, -1, pp, 0)
	stmt := uintptr(binary.NativeEndian.Uint64(cBytes(pp, 8)))
	if rc != sqlite3.SQLITE_OK {
		if stmt != 0 {
			sqlite3.Xsqlite3_finalize(c.tls, stmt)
		}
		return 0, c.errorf(rc, "prepare %.60s", query)
	}
	return stmt, nil
}

func (c *rawConn) finalize(stmt uintptr) { sqlite3.Xsqlite3_finalize(c.tls, stmt) }

// queryInt runs a query returning one integer.
func (c *rawConn) queryInt(query string) (int64, error) {
	stmt, err := c.prepare(query)
	if err != nil {
		return 0, err
	}
	defer c.finalize(stmt)
	if rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc != sqlite3.SQLITE_ROW {
		return 0, c.errorf(rc, "%.60s", query)
	}
	return sqlite3.Xsqlite3_column_int64(c.tls, stmt, 0), nil
}

var errValueType = errors.New("unsupported value type")

// run binds vals to stmt's parameters in order, steps it to completion and
// resets it. Values are int64, string, []byte or nil.
func (c *rawConn) run(stmt uintptr, vals []any) error {
	need := 1
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			need += len(x)
		case []byte:
			need += len(x)
		}
	}
	if need > c.arenaCap {
		if c.arena != 0 {
			libc.Xfree(c.tls, c.arena)
		}
		size := max(need, 2*c.arenaCap, 64<<10)
		c.arena = libc.Xmalloc(c.tls, uint64(size))
		if c.arena == 0 {
			c.arenaCap = 0
			return errors.New("out of memory")
		}
		c.arenaCap = size
	}
	mem := cBytes(c.arena, c.arenaCap)
	off := 0
	for i, v := range vals {
		var rc int32
		idx := int32(i + 1)
		switch x := v.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(c.tls, stmt, idx)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, stmt, idx, x)
		case string:
			n := copy(mem[off:], x)
			rc = sqlite3.Xsqlite3_bind_text(c.tls, stmt, idx, c.arena+uintptr(off), int32(n), 0)
			off += n
		case []byte:
			n := copy(mem[off:], x)
			rc = sqlite3.Xsqlite3_bind_blob(c.tls, stmt, idx, c.arena+uintptr(off), int32(n), 0)
			off += n
		default:
			return fmt.Errorf("parameter %d: %w %T", i+1, errValueType, v)
		}
		if rc != sqlite3.SQLITE_OK {
			return c.errorf(rc, "bind parameter %d", i+1)
		}
	}
	rc := sqlite3.Xsqlite3_step(c.tls, stmt)
	sqlite3.Xsqlite3_reset(c.tls, stmt)
	if rc != sqlite3.SQLITE_DONE {
		return c.errorf(rc, "step")
	}
	return nil
}
