package clean

import (
	"strings"
	"testing"
)

func TestLineRules(t *testing.T) {
	tests := []struct {
		name string
		rule func(string) bool
		in   string
		want bool
	}{
		{"follow call", isSocialCall, "Follow us on Facebook!", true},
		{"like call", isSocialCall, "Like us on Facebook", true},
		{"share this", isSocialCall, "Share this:", true},
		{"share on", isSocialCall, "Share on Twitter", true},
		{"newsletter", isSocialCall, "Subscribe to our newsletter", true},
		{"follow telegram", isSocialCall, "Please follow us at Telegram", true},
		{"share list", isSocialCall, "Facebook | Twitter | Email", true},
		{"follow mid-sentence", isSocialCall, "Investigators say they intend to follow the money trail.", false},
		{"follow the data", isSocialCall, "Follow the data, not the headlines, the governor said.", false},
		{"share prices", isSocialCall, "Share prices rose slightly after the announcement.", false},
		{"like many", isSocialCall, "Like many central banks, it struggled.", false},
		{"long follow sentence", isSocialCall, "Follow us on a journey that began in 1998 when the first settlers arrived in the valley and built a church there.", false},
		{"donate", isDonationCall, "Donate!", true},
		{"patreon", isDonationCall, "Support us on Patreon", true},
		{"donate to", isDonationCall, "Donate to keep us independent", true},
		{"paypal", isDonationCall, "Help via PayPal: paypal.me/x", true},
		{"support mid-sentence", isDonationCall, "Iran will continue to support the Iraqi Armed forces.", false},
		{"support for", isDonationCall, "Support for a hike has grown among economists.", false},
		{"zero responses", isCommentWidget, `0 Response to "Title - Blog"`, true},
		{"three responses", isCommentWidget, `3 Responses to “Title”`, true},
		{"n comments", isCommentWidget, "12 Comments", true},
		{"no comments", isCommentWidget, "No comments:", true},
		{"post a comment", isCommentWidget, "Post a Comment", true},
		{"leave a reply", isCommentWidget, "Leave a Reply", true},
		{"comments in sentence", isCommentWidget, "3 comments on the bill were received by the committee before the deadline.", false},
		{"advert label", isAdvert, "Advertisement", true},
		{"sponsored line", isAdvert, "Sponsored: Compare travel insurance deals now", true},
		{"continues below ad", isAdvert, "Story continues below advertisement", true},
		{"paid content", isAdvert, "Paid content — Five ways to save on heating", true},
		{"advertising sentence", isAdvert, "Advertising revenue at the group fell by a third last year, the company said.", false},
		{"ad hoc", isAdvert, "Ad hoc committees were set up in every district.", false},
		{"sponsored mid-sentence", isAdvert, "The bill, sponsored by two senators, passed.", false},
		{"blog pager", isBlogNavigation, "Newer Post Older Post Home", true},
		{"older post", isBlogNavigation, "Older Post", true},
		{"home sentence", isBlogNavigation, "Home prices rose.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rule(tc.in); got != tc.want {
				t.Errorf("rule(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestSplitTitleSuffix(t *testing.T) {
	tests := []struct {
		name, in, title, suffix string
		ok                      bool
	}{
		{"dash blog", "Iraq to Join Forces With Iran - Like This Article", "Iraq to Join Forces With Iran", "Like This Article", true},
		{"bar site", "City Council Approves Plan | The Gazette", "City Council Approves Plan", "The Gazette", true},
		{"en dash", "Port Reopens – Truth Blog", "Port Reopens", "Truth Blog", true},
		{"em dash", "Port Reopens — Truth Blog", "Port Reopens", "Truth Blog", true},
		{"no separator", "A plain title", "A plain title", "", false},
		{"real title with dash", "Left - right debate heats up in the Senate", "Left - right debate heats up in the Senate", "", false},
		{"sentence suffix", "Breaking news - Officials say more.", "Breaking news - Officials say more.", "", false},
		{"one word title", "News - Blog", "News - Blog", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			title, suffix, ok := SplitTitleSuffix(tc.in)
			if title != tc.title || suffix != tc.suffix || ok != tc.ok {
				t.Errorf("SplitTitleSuffix(%q) = %q, %q, %v; want %q, %q, %v", tc.in, title, suffix, ok, tc.title, tc.suffix, tc.ok)
			}
		})
	}
}

func TestSameName(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       bool
	}{
		{"prefix", "Fort Russ", "Fort Russ News", true},
		{"article", "The Guardian", "guardian", true},
		{"domain", "RT", "RT.com", true},
		{"squashed", "fortruss", "Fort Russ News", true},
		{"overlap", "Press TV English", "English Press TV", true},
		{"two newspapers", "New York Times", "New York Post", false},
		{"different", "Al Mayadeen", "Fort Russ News", false},
		{"shared generic word", "News", "Fort Russ News", false},
		{"empty", "", "Fort Russ", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SameName(tc.a, tc.b); got != tc.want {
				t.Errorf("SameName(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestDocument(t *testing.T) {
	body := []string{
		"First real paragraph of the story, with enough words in it to count as prose here.",
		"Second real paragraph of the story, with enough words in it to count as prose too.",
		"Third one.",
	}
	tests := []struct {
		name        string
		paras       []string
		opt         Options
		title       string
		republisher string
		keep        []string
		kinds       []string
	}{
		{
			name:  "blog repost tail",
			paras: append(append([]string{}, body...), "Follow us on VK!", "Donate!", "from Outlet http://bit.ly/x", "My Story Title - Some Blog", `2 Responses to "My Story Title - Some Blog"`, "Nice.", "Post a Comment"),
			title: "My Story Title", republisher: "Some Blog",
			keep:  append(append([]string{}, body...), "from Outlet http://bit.ly/x"),
			kinds: []string{"social", "donation", "title", "comments", "comments", "comments"},
		},
		{
			name:  "adjacent duplicate and hint title line",
			paras: []string{"Hinted Title", body[0], body[0], body[1]},
			opt:   Options{Title: "Hinted Title"},
			title: "Hinted Title",
			keep:  body[:2],
			kinds: []string{"title", "duplicate"},
		},
		{
			name:  "distant repeat kept unless asked",
			paras: []string{body[0], body[1], body[0]},
			keep:  []string{body[0], body[1], body[0]},
		},
		{
			name:  "distant repeat removed for reposts",
			paras: []string{body[0], body[1], body[0]},
			opt:   Options{DistantRepeats: true},
			keep:  body[:2],
			kinds: []string{"duplicate"},
		},
		{
			name:  "repeated run",
			paras: []string{body[0], body[1], body[2], body[0], body[1], body[2]},
			keep:  body,
			kinds: []string{"duplicate", "duplicate", "duplicate"},
		},
		{
			name:  "repeated short rows are content",
			paras: []string{"DL", "Myles Garrett", "57", "DL", "Myles Garrett", "57"},
			keep:  []string{"DL", "Myles Garrett", "57", "DL", "Myles Garrett", "57"},
		},
		{
			name:  "site suffix only when it is the site",
			paras: body,
			opt:   Options{Title: "Big News | The Paper", SiteName: "The Paper"},
			title: "Big News", keep: body,
		},
		{
			name:  "learned boilerplate",
			paras: append([]string{"Read more at our partner site today"}, body...),
			opt:   Options{Boilerplate: map[string]string{Normalize("Read more at our partner site today"): "boilerplate"}},
			keep:  body, kinds: []string{"boilerplate"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Document(tc.paras, tc.opt)
			if res.Title != tc.title || res.Republisher != tc.republisher {
				t.Errorf("title %q republisher %q, want %q %q", res.Title, res.Republisher, tc.title, tc.republisher)
			}
			if strings.Join(res.Paragraphs, "\n") != strings.Join(tc.keep, "\n") {
				t.Errorf("paragraphs:\n%s\nwant:\n%s", strings.Join(res.Paragraphs, "\n"), strings.Join(tc.keep, "\n"))
			}
			var kinds []string
			for _, r := range res.Removed {
				kinds = append(kinds, r.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
				t.Errorf("removed kinds %v, want %v", kinds, tc.kinds)
			}
		})
	}
}
