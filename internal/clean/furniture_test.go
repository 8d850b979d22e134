package clean

import "testing"

func TestFurnitureKind(t *testing.T) {
	tests := []struct {
		name, p string
		i, n    int
		want    string
	}{
		{"newsletter", "Get the day’s top headlines delivered to your inbox by subscribing to our newsletter.", 5, 10, KindNewsletter},
		{"newsletter word in prose", "The newsletter, founded in 1990, covers local politics and has a loyal following among readers.", 5, 10, ""},
		{"copyright", "Copyright ©2019 Dow Jones & Company, Inc. All Rights Reserved", 9, 10, KindCopyright},
		{"time stamp at top", "NOVEMBER 20, 2019 10:43", 0, 10, KindDateline},
		{"stamp with byline", "11/19/2019 by Lars Brandle", 1, 10, KindDateline},
		{"reading time", "Tempo de leitura: 2 minutos", 0, 10, KindDateline},
		{"date range is content", "29 November 2018 | 20 January 2019", 0, 10, ""},
		{"opening hours are content", "9.30 A.M. / 7.00 P.M.", 9, 10, ""},
		{"stamp mid-text kept", "NOVEMBER 20, 2019 10:43", 5, 10, ""},
		{"credit at end", "Fox News’ Jessica Napoli contributed to this report.", 9, 10, KindCredit},
		{"contact at end", "Write to Al Root at allen.root@dowjones.com", 8, 10, KindCredit},
		{"credit mid-text kept", "Jane Roe contributed to this report.", 2, 10, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := furnitureKind(tc.p, tc.i, tc.n); got != tc.want {
				t.Errorf("furnitureKind(%q) = %q, want %q", tc.p, got, tc.want)
			}
		})
	}
}
