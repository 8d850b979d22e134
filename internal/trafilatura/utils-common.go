// This file is part of go-trafilatura, Go package for extracting readable
// content, comments and metadata from a web page. Source available in
// <https://github.com/markusmobius/go-trafilatura>.
//
// Copyright (C) 2021 Markus Mobius
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.
//
// Modified for newstrace (see README.md in this directory).

package trafilatura

import (
	"mime"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace/internal/clean"
	"golang.org/x/net/html"
)

// trim removes unnecessary spaces within a text string.
func trim(s string) string {
	// Same result as upstream's strings.Join(strings.Fields(s), " "),
	// without the slice and, for text already trim, without allocating.
	return clean.CollapseSpace(s)
}

func strWordCount(s string) int {
	return len(strings.Fields(s))
}

func strOr(args ...string) string {
	for i := 0; i < len(args); i++ {
		if args[i] != "" {
			return args[i]
		}
	}
	return ""
}

func strIn(s string, args ...string) bool {
	for i := 0; i < len(args); i++ {
		if args[i] == s {
			return true
		}
	}
	return false
}

func isImageFile(imageSrc string) bool {
	if imageSrc == "" {
		return false
	}

	ext := filepath.Ext(imageSrc)
	mimeType := mime.TypeByExtension(ext)
	return strings.HasPrefix(mimeType, "image")
}

func uniquifyLists(currents ...string) []string {
	var finalTags []string
	tracker := map[string]struct{}{}

	for _, current := range currents {
		separator := ","
		if strings.Count(current, ";") > strings.Count(current, ",") {
			separator = ";"
		}

		for _, entry := range strings.Split(current, separator) {
			entry = trim(entry)
			entry = strings.ReplaceAll(entry, `"`, "")
			entry = strings.ReplaceAll(entry, `'`, "")

			if _, tracked := tracker[entry]; entry != "" && !tracked {
				finalTags = append(finalTags, entry)
				tracker[entry] = struct{}{}
			}
		}
	}

	return finalTags
}

// trimmedTextLen is utf8.RuneCountInString(trim(dom.TextContent(n))),
// counted without building either string: the link-density tests ask it
// of every candidate container, and their texts can be the whole page.
// With limit >= 0 it stops counting at limit (returning limit).
func trimmedTextLen(n *html.Node, limit int) int {
	count, pending := 0, false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if limit >= 0 && count >= limit {
			return
		}
		if n.Type == html.TextNode {
			s := n.Data
			for i := 0; i < len(s) && (limit < 0 || count < limit); {
				r, size := rune(s[i]), 1
				if r >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(s[i:])
				}
				if unicode.IsSpace(r) {
					pending = count > 0
				} else {
					if pending {
						count++
						pending = false
					}
					count++
				}
				i += size
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	if limit >= 0 && count > limit {
		return limit
	}
	return count
}
