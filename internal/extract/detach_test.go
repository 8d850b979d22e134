package extract

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/newstrace/newstrace"
)

// TestDetachClonesEveryString fills every string of an Article (found by
// reflection, so a field added later is covered) with text pointing into
// one buffer, as htmlparse.ParseBytes' tree strings do, and checks that
// detach leaves none pointing there except HTML, which the sanitizer
// always builds anew.
func TestDetachClonesEveryString(t *testing.T) {
	buf := []byte("shared page buffer text")
	alias := func() string { return unsafe.String(&buf[0], len(buf)) }
	lo, hi := uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&buf[0]))+uintptr(len(buf))

	var a newstrace.Article
	now := time.Now()
	a.Published = &now
	a.Authors = []string{alias(), alias()}
	a.Removed = []newstrace.Removed{{Kind: alias(), Text: alias()}}
	forEachString(reflect.ValueOf(&a).Elem(), "", func(path string, v reflect.Value) { v.SetString(alias()) })
	detach(&a)

	n := 0
	forEachString(reflect.ValueOf(&a).Elem(), "", func(path string, v reflect.Value) {
		n++
		s := v.String()
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if path != ".HTML" && p >= lo && p < hi {
			t.Errorf("%s still points into the page buffer after detach", path)
		}
		if s != string(buf) {
			t.Errorf("%s = %q, changed by detach", path, s)
		}
	})
	if n < 15 {
		t.Fatalf("walked only %d strings; the reflection walk is broken", n)
	}
}

func forEachString(v reflect.Value, path string, fn func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.String:
		fn(path, v)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				forEachString(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			forEachString(v.Index(i), path+"[]", fn)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			forEachString(v.Elem(), path, fn)
		}
	}
}
