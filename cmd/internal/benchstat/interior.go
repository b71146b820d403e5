package benchstat

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
)

// WarmInterior reads, from the database file at path, the interior pages of
// every B-tree (every level but the leaves) into the operating system's
// file cache: what a server that has answered for a while keeps there,
// since every lookup passes through them. They are a small part of the
// file (about one page in a few hundred); the leaves, where the rows are,
// stay as cold as they were (but the one per tree the walk reads to learn
// its depth). It returns how many interior pages it read.
func WarmInterior(ctx context.Context, db *sql.DB, path string) (int, error) {
	var pageSize int
	if err := db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return 0, fmt.Errorf("warm interior: page size: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT rootpage FROM sqlite_schema WHERE rootpage > 0`)
	if err != nil {
		return 0, fmt.Errorf("warm interior: roots: %w", err)
	}
	var roots []uint32
	for rows.Next() {
		var r uint32
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return 0, fmt.Errorf("warm interior: roots: %w", err)
		}
		roots = append(roots, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("warm interior: roots: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("warm interior: %w", err)
	}
	defer f.Close()
	w := interiorWalker{f: f, buf: make([]byte, pageSize)}
	for _, root := range roots {
		if err := ctx.Err(); err != nil {
			return w.read, err
		}
		if err := w.tree(root); err != nil {
			return w.read, fmt.Errorf("warm interior: tree at page %d: %w", root, err)
		}
	}
	return w.read, nil
}

type interiorWalker struct {
	f    *os.File
	buf  []byte
	read int
}

// page reads page n and returns its B-tree header's offset in w.buf (page
// 1 starts with the file's 100-byte header) and whether it is interior.
func (w *interiorWalker) page(n uint32) (hdr int, interior bool, err error) {
	if _, err := w.f.ReadAt(w.buf, int64(n-1)*int64(len(w.buf))); err != nil {
		return 0, false, err
	}
	if n == 1 {
		hdr = 100
	}
	switch w.buf[hdr] {
	case 2, 5: // interior index, interior table
		return hdr, true, nil
	case 10, 13: // leaf index, leaf table
		return hdr, false, nil
	}
	return 0, false, fmt.Errorf("page %d is not a B-tree page (type %d)", n, w.buf[hdr])
}

// children lists the child pages of the interior page in w.buf.
func (w *interiorWalker) children(hdr int) []uint32 {
	cells := int(binary.BigEndian.Uint16(w.buf[hdr+3:]))
	out := make([]uint32, 0, cells+1)
	for i := range cells {
		off := int(binary.BigEndian.Uint16(w.buf[hdr+12+2*i:]))
		out = append(out, binary.BigEndian.Uint32(w.buf[off:]))
	}
	return append(out, binary.BigEndian.Uint32(w.buf[hdr+8:]))
}

// tree reads the interior levels of the B-tree at root. Every leaf of a
// B-tree is at the same depth: the leftmost path tells how many levels are
// interior, and the walk reads those, level by level.
func (w *interiorWalker) tree(root uint32) error {
	depth := 0
	for n := root; ; depth++ {
		hdr, interior, err := w.page(n)
		if err != nil {
			return err
		}
		if !interior {
			break
		}
		n = w.children(hdr)[0]
	}
	level := []uint32{root}
	for range depth {
		var next []uint32
		for _, n := range level {
			hdr, interior, err := w.page(n)
			if err != nil {
				return err
			}
			if !interior {
				return fmt.Errorf("page %d: a leaf above the leaves' level", n)
			}
			w.read++
			next = append(next, w.children(hdr)...)
		}
		level = next
	}
	return nil
}
