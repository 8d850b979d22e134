package clean

import (
	"slices"
	"strings"
	"testing"
)

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

func TestTagLines(t *testing.T) {
	paras := []string{
		"The council met on Tuesday to discuss the budget, the harbour and the schools.",
		"Topics such as housing, transport and schools dominated the meeting.",
		"Tags: budget, harbour, city council",
		"Filed under: Politics |",
		"Labels:",
		"Tags",
		"calendario stock car 2018, stock car brasil, stock car interlagos",
		"Keywords: this is not a list but a whole sentence of ordinary words that goes on.",
		"Category",
		"A closing sentence of the story, which is content.",
	}
	keep, removed := Furniture(paras)
	var gone []string
	for _, r := range removed {
		if r.Kind == KindTags {
			gone = append(gone, r.Text)
		}
	}
	want := []string{paras[2], paras[3], paras[4], paras[5], paras[6], paras[8]}
	if strings.Join(gone, "\n") != strings.Join(want, "\n") {
		t.Errorf("removed as tags:\n%s\nwant:\n%s", strings.Join(gone, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range []string{paras[0], paras[1], paras[7], paras[9]} {
		if !slices.Contains(keep, p) {
			t.Errorf("kept lines lack %q", p)
		}
	}
}
