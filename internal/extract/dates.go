package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
	"nov": 11, "november": 11, "dec": 12, "december": 12,
}

const (
	monthNames = `jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?`
	monthRe    = `(` + monthNames + `)\.?`
)

var (
	// Words that may precede a date in a byline: "Posted on", "Sunday,".
	datePrefixRe = regexp.MustCompile(`(?i)^(?:(?:posted|published|updated|first published|date)(?:\s+on)?\s*:?\s*)?(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?`)
	isoDateRe    = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	mdyRe        = regexp.MustCompile(`(?i)^` + monthRe + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$`)
	dmyRe        = regexp.MustCompile(`(?i)^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRe + `,?\s+(\d{4})$`)
)

// parseDate reads a segment that is wholly a calendar date, in the forms
// bylines use: "July 23rd, 2017", "23rd July 2017", "Jul. 3, 2019",
// "2017-07-23", "1st of May 2020", "March 3 2020", optionally after
// "Posted on" or a weekday. The result is midnight UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ".,:;"))
	s = strings.TrimSpace(s[len(datePrefixRe.FindString(s)):])
	var y, d int
	var m time.Month
	if g := isoDateRe.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		mi, _ := strconv.Atoi(g[2])
		m = time.Month(mi)
		d, _ = strconv.Atoi(g[3])
	} else if g := mdyRe.FindStringSubmatch(s); g != nil {
		m = months[strings.ToLower(g[1])]
		d, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
	} else if g := dmyRe.FindStringSubmatch(s); g != nil {
		d, _ = strconv.Atoi(g[1])
		m = months[strings.ToLower(g[2])]
		y, _ = strconv.Atoi(g[3])
	} else {
		return time.Time{}, false
	}
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// parseTimestamp reads a machine timestamp from metadata (RFC 3339 and the
// near misses sites publish); a bare date falls back to parseDate.
func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{
		time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05",
		"2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", time.RFC1123Z, time.RFC1123,
	} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return parseDate(s)
}

// urlDateRe finds a year/month/day run in a URL: "/2019/11/19/",
// "/2019/nov/18/", "-2019-11-19-", "_2019_11_19". The year must follow a
// non-digit and the day must end the run, so ids like "191119041538" and
// "/2019/1119" are not dates. (htmldate's first test, plus month names.)
var urlDateRe = regexp.MustCompile(`(?i)\D(199\d|20[0-3]\d)[/_-](` + monthNames + `|[01]?\d)[/_-]([0-3]?\d)(?:\D|$)`)

// urlDate reads the publication date a news URL carries in its path, as
// midnight UTC. Dates before 1995 (the web's news) or more than a year
// ahead are refused, as are impossible days.
func urlDate(u string, now time.Time) (time.Time, bool) {
	g := urlDateRe.FindStringSubmatch(u)
	if g == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(g[1])
	m, ok := months[strings.ToLower(g[2])]
	if !ok {
		mi, _ := strconv.Atoi(g[2])
		m = time.Month(mi)
	}
	d, _ := strconv.Atoi(g[3])
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	// time.Date rolls 2019-02-30 or month 13 over; a changed day or month
	// is an impossible date.
	if t.Day() != d || t.Month() != m || y < 1995 || t.After(now.AddDate(1, 0, 0)) {
		return time.Time{}, false
	}
	return t, true
}
