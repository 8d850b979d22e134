package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace/internal/clean"
)

// textParagraphs splits plain text into paragraphs. Text with blank lines
// between blocks has its hard-wrapped blocks (every line but the last of
// a typewriter width) joined; otherwise every line is a paragraph, except
// that a long line cut mid-sentence joins a next line starting in lower case.
func textParagraphs(s string) []string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	var paras []string
	for _, block := range splitBlocks(s) {
		if isWrappedBlock(block) {
			paras = append(paras, strings.Join(block, " "))
			continue
		}
		for i, line := range block {
			if i > 0 && wrapped(block[i-1], line) {
				paras[len(paras)-1] += " " + line
				continue
			}
			paras = append(paras, line)
		}
	}
	return paras
}

// splitBlocks returns runs of non-blank lines, white space collapsed.
func splitBlocks(s string) [][]string {
	var blocks [][]string
	var cur []string
	for _, line := range strings.Split(s, "\n") {
		line = clean.CollapseSpace(line)
		if line == "" {
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

// isWrappedBlock reports a paragraph hard-wrapped at a fixed width: two or
// more lines, all but the last between 50 and 100 characters.
func isWrappedBlock(block []string) bool {
	if len(block) < 2 {
		return false
	}
	for _, l := range block[:len(block)-1] {
		if n := utf8.RuneCountInString(l); n < 50 || n > 100 {
			return false
		}
	}
	return true
}

// wrapped reports whether next continues the sentence prev was cut in.
func wrapped(prev, next string) bool {
	if utf8.RuneCountInString(prev) < 40 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(prev)
	if strings.ContainsRune(`.!?:;"”’)»`, last) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLower(first)
}
