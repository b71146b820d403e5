//go:build linux

package benchstat

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// DiskReadBytes (Linux's read_bytes) counts a read the page cache could not answer: a file
// written, synced and dropped from the cache is read from the disk.
func TestDiskReadBytesCountsCacheMisses(t *testing.T) {
	before, ok := DiskReadBytes()
	if !ok {
		t.Fatal("DiskReadBytes found no read_bytes in /proc/self/io")
	}
	dir := t.TempDir()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	const tmpfsMagic = 0x01021994
	if fs.Type == tmpfsMagic {
		t.Skip("the temporary directory is in memory: nothing reaches a disk")
	}
	const size = 1 << 20
	path := filepath.Join(dir, "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(bytes.Repeat([]byte{7}, size)); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	// POSIX_FADV_DONTNEED drops the file's clean pages from the cache.
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, 4, 0, 0); errno != 0 {
		t.Fatalf("fadvise: %v", errno)
	}
	if _, err := f.ReadAt(make([]byte, size), 0); err != nil {
		t.Fatal(err)
	}
	after, ok := DiskReadBytes()
	if !ok {
		t.Fatal("DiskReadBytes found no read_bytes the second time")
	}
	if after-before < size {
		t.Errorf("read_bytes grew by %d reading %d bytes not in the cache, want at least that", after-before, size)
	}
}
