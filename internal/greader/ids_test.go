package greader

import "testing"

func TestParseItemID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
		bad  bool
	}{
		{name: "long padded", in: "tag:google.com,2005:reader/item/000000000000002a", want: 42},
		{name: "long unpadded (NetNewsWire)", in: "tag:google.com,2005:reader/item/2f2", want: 0x2f2},
		{name: "16 hex digits (Reeder, Fluent Reader)", in: "000000000000048c", want: 0x48c},
		{name: "decimal short form (Liferea, spec)", in: "12345", want: 12345},
		{name: "decimal that looks hex-free", in: "10", want: 10},
		{name: "negative", in: "-5", bad: true},
		{name: "zero", in: "0", bad: true},
		{name: "garbage", in: "tag:google.com,2005:reader/item/zz", bad: true},
		{name: "empty", in: "", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseItemID(tt.in)
			if tt.bad {
				if err == nil {
					t.Errorf("ParseItemID(%q) = %d, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseItemID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
	for _, id := range []int64{1, 42, 1 << 40} {
		if got, err := ParseItemID(LongID(id)); err != nil || got != id {
			t.Errorf("LongID round trip %d → %s → %d, %v", id, LongID(id), got, err)
		}
		if got, err := ParseItemID(ShortID(id)); err != nil || got != id {
			t.Errorf("ShortID round trip %d → %d, %v", id, got, err)
		}
	}
}
