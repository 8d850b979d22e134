package pipeline

import "testing"

func TestDFCache(t *testing.T) {
	c := NewDFCache(3)
	c.put(map[string]int{"iraq": 4}, []string{"iraq", "tehran"}, 100)
	tests := []struct {
		name    string
		term    string
		wantN   int
		wantOK  bool
		prepare func()
	}{
		{name: "cached count", term: "iraq", wantN: 4, wantOK: true},
		{name: "cached zero", term: "tehran", wantN: 0, wantOK: true},
		{name: "unknown", term: "basra", wantOK: false},
		{name: "still fresh after small growth", term: "iraq", wantN: 4, wantOK: true,
			prepare: func() { c.put(nil, []string{"x"}, 105) }},
		{name: "stale after the store grew a tenth", term: "iraq", wantOK: false,
			prepare: func() { c.put(nil, []string{"y"}, 130) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare()
			}
			n, _, ok := c.get(tt.term)
			if ok != tt.wantOK || n != tt.wantN {
				t.Errorf("get(%q) = %d, %v; want %d, %v", tt.term, n, ok, tt.wantN, tt.wantOK)
			}
		})
	}
	if len(c.terms) > 3 {
		t.Errorf("cache holds %d terms, bound is 3", len(c.terms))
	}
	var nilCache *DFCache
	if _, _, ok := nilCache.get("iraq"); ok {
		t.Error("a nil cache returned a count")
	}
	nilCache.put(map[string]int{"a": 1}, []string{"a"}, 1) // must not panic
}
