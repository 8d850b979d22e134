package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/storetest"
)

func TestConformanceIngest(t *testing.T) {
	storetest.RunIngest(t, func(t *testing.T) newstrace.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "newstrace.db"))
	})
}
