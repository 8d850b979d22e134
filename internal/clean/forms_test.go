package clean

// The one-argument forms of the line rules, for the tests' tables: the
// package itself counts a paragraph's words once and passes them in.

func isSocialCall(p string) bool { return socialCall(p, Words(p)) }

func isDonationCall(p string) bool { return donationCall(p, Words(p)) }

func isCommentWidget(p string) bool { return commentWidget(p, Words(p)) }

func isAdvert(p string) bool { return advert(p, Words(p)) }

func isBlogNavigation(p string) bool { return blogNavigation(p, Words(p)) }

// isTitleLine reports a line repeating the title, bare or with a suffix.
func isTitleLine(p, title string) bool { return titleForm(title).matches(p, Normalize(p)) }

// NormalizeHash is NormHasher over s in one piece: HashString(Normalize(s))
// and the number of letters and digits in it, for the tests to hold the
// streaming hasher to Normalize.
func NormalizeHash(s string) (h uint64, letters int) {
	var nh NormHasher
	nh.Add(s)
	return nh.Sum()
}
