package sqlite

import (
	"fmt"
	"math"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// rankFunction is an FTS5 auxiliary function registered on every connection:
//
//	newstrace_bm25(documents_fts, title_weight, text_weight, df0, df1, …)
//
// It scores a row exactly as FTS5's bm25() does (k1 1.2, b 0.75, one
// document length over all columns, IDF floored at 1e-6), except that the
// document frequency of phrase i is argument df_i instead of being counted.
// bm25() counts it by running each phrase over the whole index once per
// query (xQueryPhrase), which at a million documents cost more than ranking
// the candidates; Search passes frequencies from a cache (rank_df.go).
// Phrases are numbered as FTS5 numbers them: in the order they appear in the
// MATCH expression.
const rankFunction = "newstrace_bm25"

// C strings for registration, allocated once and never freed.
var rankNames struct{ sql, ptrType, function uintptr }

// The function is registered with sqlite3_auto_extension, which SQLite calls
// for each new connection after its built-in extensions (FTS5) are loaded:
// modernc.org/sqlite gives no access to a connection's sqlite3 handle, and
// this is the way its own vec package installs itself.
func init() {
	tls := libc.NewTLS()
	defer tls.Close()
	for _, s := range []struct {
		p *uintptr
		v string
	}{{&rankNames.sql, "SELECT fts5(?1)"}, {&rankNames.ptrType, "fts5_api_ptr"}, {&rankNames.function, rankFunction}} {
		p, err := libc.CString(s.v)
		if err != nil {
			panic(fmt.Sprintf("sqlite: register %s: %v", rankFunction, err))
		}
		*s.p = p
	}
	if rc := sqlite3.Xsqlite3_auto_extension(tls, cFunc(registerRank)); rc != sqlite3.SQLITE_OK {
		panic(fmt.Sprintf("sqlite: register %s: sqlite3_auto_extension: code %d", rankFunction, rc))
	}
}

// registerRank is the auto-extension entry point: it fetches the
// connection's fts5_api (SELECT fts5(?1) with a bound pointer, as the FTS5
// documentation prescribes) and creates the function. A failure fails the
// connection's open with the message, rather than searches later.
func registerRank(tls *libc.TLS, db, pzErrMsg, _ uintptr) int32 {
	bp := tls.Alloc(16) // sqlite3_stmt*, fts5_api*
	defer tls.Free(16)
	*(*uintptr)(cptr(bp)), *(*uintptr)(cptr(bp + 8)) = 0, 0
	fail := func(what string, rc int32) int32 {
		// SQLite frees the message with sqlite3_free: it goes in SQLite's heap.
		msg := fmt.Sprintf("register %s: %s (code %d)", rankFunction, what, rc)
		if p := sqlite3.Xsqlite3_malloc(tls, int32(len(msg)+1)); p != 0 {
			copy(unsafe.Slice((*byte)(cptr(p)), len(msg)+1), msg+"\x00")
			*(*uintptr)(cptr(pzErrMsg)) = p
		}
		if rc == sqlite3.SQLITE_OK {
			rc = sqlite3.SQLITE_ERROR
		}
		return rc
	}
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, db, rankNames.sql, -1, bp, 0); rc != sqlite3.SQLITE_OK {
		return fail("prepare SELECT fts5(?1)", rc)
	}
	stmt := *(*uintptr)(cptr(bp))
	rc := sqlite3.Xsqlite3_bind_pointer(tls, stmt, 1, bp+8, rankNames.ptrType, 0)
	if rc == sqlite3.SQLITE_OK {
		if rc = sqlite3.Xsqlite3_step(tls, stmt); rc == sqlite3.SQLITE_ROW {
			rc = sqlite3.SQLITE_OK
		}
	}
	sqlite3.Xsqlite3_finalize(tls, stmt)
	if rc != sqlite3.SQLITE_OK {
		return fail("get the fts5_api", rc)
	}
	pAPI := *(*uintptr)(cptr(bp + 8))
	if pAPI == 0 {
		return fail("FTS5 is not compiled in", 0)
	}
	api := (*sqlite3.Tfts5_api)(cptr(pAPI))
	if api.FiVersion < 2 {
		return fail(fmt.Sprintf("fts5_api version %d", api.FiVersion), 0)
	}
	create := *(*func(*libc.TLS, uintptr, uintptr, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&api.FxCreateFunction))
	if rc := create(tls, pAPI, rankNames.function, 0, cFunc(rankRow), 0); rc != sqlite3.SQLITE_OK {
		return fail("xCreateFunction", rc)
	}
	return sqlite3.SQLITE_OK
}

// rankTotals is a statement's row count and average row length in tokens,
// in memory from sqlite3_malloc.
type rankTotals struct {
	rows  int64
	avgdl float64
}

// BM25 constants, as in FTS5's bm25().
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// rankRow is the function body, called once per result row. It reads the
// row's phrase hits (xInstCount, xInst), its length (xColumnSize) and the
// table's row count and total length (xRowCount, xColumnTotalSize: stored
// totals, read once per statement by FTS5).
func rankRow(tls *libc.TLS, pAPI, pFts, pCtx uintptr, nVal int32, apVal uintptr) {
	api := (*sqlite3.TFts5ExtensionApi)(cptr(pAPI))
	bp := tls.Alloc(32)
	defer tls.Free(32)
	fail := func(msg string, rc int32) {
		if rc != sqlite3.SQLITE_OK {
			sqlite3.Xsqlite3_result_error_code(tls, pCtx, rc)
			return
		}
		if p, err := libc.CString(rankFunction + ": " + msg); err == nil {
			sqlite3.Xsqlite3_result_error(tls, pCtx, p, -1) // SQLite copies it
			libc.Xfree(tls, p)
		} else {
			sqlite3.Xsqlite3_result_error_nomem(tls, pCtx)
		}
	}
	nPhrase := int((*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&api.FxPhraseCount)))(tls, pFts))
	nCol := int((*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&api.FxColumnCount)))(tls, pFts))
	if int(nVal) != nCol+nPhrase {
		fail(fmt.Sprintf("want %d column weights and %d document frequencies, got %d arguments", nCol, nPhrase, nVal), 0)
		return
	}
	arg := func(i int) float64 {
		return sqlite3.Xsqlite3_value_double(tls, *(*uintptr)(cptr(apVal + uintptr(i)*8)))
	}

	// Table totals, once per statement: kept as the query's auxiliary data
	// (FTS5 rereads its totals record on every call otherwise).
	totals := (*(*func(*libc.TLS, uintptr, int32) uintptr)(unsafe.Pointer(&api.FxGetAuxdata)))(tls, pFts, 0)
	if totals == 0 {
		if rc := (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&api.FxRowCount)))(tls, pFts, bp); rc != sqlite3.SQLITE_OK {
			fail("", rc)
			return
		}
		nRow := *(*int64)(cptr(bp))
		if rc := (*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&api.FxColumnTotalSize)))(tls, pFts, -1, bp); rc != sqlite3.SQLITE_OK {
			fail("", rc)
			return
		}
		nToken := *(*int64)(cptr(bp))
		if totals = sqlite3.Xsqlite3_malloc(tls, int32(unsafe.Sizeof(rankTotals{}))); totals == 0 {
			sqlite3.Xsqlite3_result_error_nomem(tls, pCtx)
			return
		}
		*(*rankTotals)(cptr(totals)) = rankTotals{rows: nRow, avgdl: float64(nToken) / float64(nRow)}
		if rc := (*(*func(*libc.TLS, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&api.FxSetAuxdata)))(tls, pFts, totals, cFunc(sqlite3.Xsqlite3_free)); rc != sqlite3.SQLITE_OK {
			fail("", rc) // FTS5 has freed it
			return
		}
	}
	nRow, avgdl := (*rankTotals)(cptr(totals)).rows, (*rankTotals)(cptr(totals)).avgdl

	// Weighted hits per phrase in this row.
	var freqBuf [16]float64
	freq := freqBuf[:0]
	if nPhrase > len(freqBuf) {
		freq = make([]float64, 0, nPhrase)
	}
	freq = freq[:nPhrase]
	if rc := (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&api.FxInstCount)))(tls, pFts, bp); rc != sqlite3.SQLITE_OK {
		fail("", rc)
		return
	}
	nInst := *(*int32)(cptr(bp))
	inst := *(*func(*libc.TLS, uintptr, int32, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&api.FxInst))
	for i := range nInst {
		// phrase at bp, column at bp+4, offset at bp+8
		if rc := inst(tls, pFts, i, bp, bp+4, bp+8); rc != sqlite3.SQLITE_OK {
			fail("", rc)
			return
		}
		phrase, col := int(*(*int32)(cptr(bp))), int(*(*int32)(cptr(bp + 4)))
		if phrase >= 0 && phrase < nPhrase && col >= 0 && col < nCol {
			freq[phrase] += arg(col)
		}
	}
	if rc := (*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&api.FxColumnSize)))(tls, pFts, -1, bp); rc != sqlite3.SQLITE_OK {
		fail("", rc)
		return
	}
	docLen := float64(*(*int32)(cptr(bp)))

	var score float64
	for i, f := range freq {
		if f == 0 {
			continue
		}
		score += bm25IDF(nRow, int64(arg(nCol+i))) * (f * (bm25K1 + 1)) / (f + bm25K1*(1-bm25B+bm25B*docLen/avgdl))
	}
	sqlite3.Xsqlite3_result_double(tls, pCtx, -score)
}

// bm25IDF is FTS5's IDF: log((N - df + 0.5) / (df + 0.5)), floored at 1e-6
// so that a phrase in more than half the rows still counts a little. A
// cached df above N (rows deleted since) gets the floor too.
func bm25IDF(nRow, df int64) float64 {
	idf := math.Log((float64(nRow-df) + 0.5) / (float64(df) + 0.5))
	if !(idf > 0) {
		return 1e-6
	}
	return idf
}

// cFunc turns a top-level Go function into the function pointer the
// transpiled C calls through (the funcval address, as modernc's own code
// does). Only for function declarations, never closures.
func cFunc[T any](f T) uintptr {
	return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f}))
}

// cptr is a pointer into memory that SQLite (libc's heap or a TLS stack)
// owns, outside the Go heap.
func cptr(p uintptr) unsafe.Pointer {
	return unsafe.Add(nil, p)
}
