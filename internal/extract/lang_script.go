package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// Language detection by script first, statistics second. Most scripts name
// their language outright, at any length; whatlanggo's trigram statistics
// are left to what a script cannot tell: Latin and Cyrillic languages.
// Measured on the COUNTER Urdu and article-extraction corpora (see
// docs/benchmarks.md, "Language detection").

const (
	// sampleRunes bounds what the statistics read: whatlanggo's confidence
	// turns negative on long texts (every long English article came out
	// "unsure"), and the first few hundred words decide as well as all.
	sampleRunes = 1500
	// statSampleBytes bounds the text whatlanggo reads. On the English
	// corpus 600 bytes got 136 of 136 right, 1,000 got 135, 6,000 got 133
	// (the longer the sample, the more often a stray trigram profile
	// wins); Urdu is the same at all three. Its cost grows with the sample.
	statSampleBytes = 600
	// minLatinRunes is the shortest Latin or Cyrillic text the statistics
	// may judge; a headline of ten words is about 60.
	minLatinRunes = 40
	// minLatinConfidence is whatlanggo's confidence (0..1) trusted on a
	// text shorter than minDetectRunes.
	minLatinConfidence = 0.5
)

// latinLangs are the languages the statistics choose among: the news
// languages written in Latin or Cyrillic script. A short list makes short
// texts less often mistaken for a rare neighbour (German headlines for
// Afrikaans or Spanish ones for Ilocano).
var latinLangs = func() map[whatlanggo.Lang]bool {
	m := map[whatlanggo.Lang]bool{}
	for _, l := range []whatlanggo.Lang{
		whatlanggo.Eng, whatlanggo.Fra, whatlanggo.Deu, whatlanggo.Spa, whatlanggo.Ita, whatlanggo.Por,
		whatlanggo.Nld, whatlanggo.Pol, whatlanggo.Tur, whatlanggo.Ind, whatlanggo.Swe, whatlanggo.Ron,
		whatlanggo.Ces, whatlanggo.Hun, whatlanggo.Vie, whatlanggo.Fin, whatlanggo.Dan, whatlanggo.Nob,
		whatlanggo.Hrv, whatlanggo.Slv, whatlanggo.Lit, whatlanggo.Lav, whatlanggo.Est, whatlanggo.Tgl,
		whatlanggo.Rus, whatlanggo.Ukr, whatlanggo.Bul, whatlanggo.Srp, whatlanggo.Mkd, whatlanggo.Bel,
	} {
		m[l] = true
	}
	return m
}()

// Letters that tell Arabic-script languages apart. Urdu writes retroflex
// ٹ ڈ ڑ, nasal ں, barree ے and its own heh forms ہ ھ; Pashto its own
// ټ ډ ړ ښ ږ ځ څ ې ۍ; Persian shares پ چ ژ گ ک ی with Urdu but none of
// Urdu's; Arabic proper uses ة ي ك ى, which Persian and Urdu replace.
var (
	urduLetters    = runeSet("ٹڈڑںےۓہھ")
	pashtoLetters  = runeSet("ټډړښږځڅېۍ")
	persianLetters = runeSet("پچژگکی")
	arabicLetters  = runeSet("ةيكى")
)

func runeSet(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}

// scriptLangs maps scripts used by one language (as far as news goes) to it.
var scriptLangs = []struct {
	table *unicode.RangeTable
	lang  string
}{
	{unicode.Hangul, "ko"}, {unicode.Thai, "th"}, {unicode.Greek, "el"}, {unicode.Hebrew, "he"},
	{unicode.Georgian, "ka"}, {unicode.Armenian, "hy"}, {unicode.Bengali, "bn"}, {unicode.Tamil, "ta"},
	{unicode.Telugu, "te"}, {unicode.Kannada, "kn"}, {unicode.Malayalam, "ml"}, {unicode.Gujarati, "gu"},
	{unicode.Gurmukhi, "pa"}, {unicode.Sinhala, "si"}, {unicode.Khmer, "km"}, {unicode.Myanmar, "my"},
	{unicode.Ethiopic, "am"}, {unicode.Lao, "lo"},
}

// detectLanguage guesses the ISO 639-1 language of text, "" when unsure.
func detectLanguage(text string) string {
	var letters, latin, cyrillic, arabic, kana, han, devanagari int
	var ur, ps, fa, ar int
	other := map[string]int{}
	n := 0
	for _, r := range text {
		if n++; n > sampleRunes {
			break
		}
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case r < 0x250 || unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
		case unicode.Is(unicode.Arabic, r):
			arabic++
			switch {
			case urduLetters[r]:
				ur++
			case pashtoLetters[r]:
				ps++
			case persianLetters[r]:
				fa++
			case arabicLetters[r]:
				ar++
			}
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Devanagari, r):
			devanagari++
		default:
			for _, s := range scriptLangs {
				if unicode.Is(s.table, r) {
					other[s.lang]++
					break
				}
			}
		}
	}
	if letters == 0 {
		return ""
	}
	// The script holding most letters decides the branch.
	best, bestN := "", 0
	for name, c := range map[string]int{"latin": latin + cyrillic, "arabic": arabic, "cjk": kana + han, "deva": devanagari} {
		if c > bestN {
			best, bestN = name, c
		}
	}
	for lang, c := range other {
		if c > bestN {
			best, bestN = lang, c
		}
	}
	switch best {
	case "arabic":
		if ur == 0 && ps == 0 {
			// No telling letter (a short line): Urdu's and Persian's
			// commonest words still differ.
			uw, fw := functionWords(text)
			ur, fa = ur+uw, fa+fw
		}
		return arabicScriptLang(ur, ps, fa, ar)
	case "cjk":
		// Japanese mixes kana into its kanji; a few kana in Chinese are quotes.
		if kana*10 >= kana+han {
			return "ja"
		}
		return "zh"
	case "deva":
		return statistical(text, map[whatlanggo.Lang]bool{whatlanggo.Hin: true, whatlanggo.Mar: true, whatlanggo.Nep: true}, "hi")
	case "latin":
		if cyrillic > latin {
			return cyrillicLang(text)
		}
		return statistical(text, latinLangs, "")
	}
	return best
}

var (
	urduWords    = wordSet("کا کی کو میں پر اور نے سے ہے ہیں یہ وہ بھی گیا")
	persianWords = wordSet("در به از که این را با است برای های می آن شد")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// functionWords counts Urdu and Persian function words in the first
// words of text.
func functionWords(text string) (ur, fa int) {
	for i, w := range strings.Fields(text) {
		if i >= 300 {
			break
		}
		if urduWords[w] {
			ur++
		}
		if persianWords[w] {
			fa++
		}
	}
	return ur, fa
}

// arabicScriptLang tells Urdu, Pashto, Persian and Arabic apart by the
// letters only one of them writes; with none, Arabic.
func arabicScriptLang(ur, ps, fa, ar int) string {
	switch {
	case ur > 0 && ur >= ps:
		return "ur"
	case ps > 0:
		return "ps"
	case fa > ar:
		return "fa"
	}
	return "ar"
}

var cyrillicLangs = map[whatlanggo.Lang]bool{whatlanggo.Rus: true, whatlanggo.Ukr: true,
	whatlanggo.Bul: true, whatlanggo.Srp: true, whatlanggo.Mkd: true, whatlanggo.Bel: true}

// cyrillicLang reads letters only one Cyrillic language writes (ї є ґ
// Ukrainian, ў Belarusian, ѓ ќ ѕ Macedonian, ђ ћ Serbian), then the
// statistics; a short text with Russian's ы or э and none of those is
// Russian.
func cyrillicLang(text string) string {
	var ru bool
	for i, r := range []rune(text) {
		if i > sampleRunes {
			break
		}
		switch unicode.ToLower(r) {
		case 'ї', 'є', 'ґ':
			return "uk"
		case 'ў':
			return "be"
		case 'ѓ', 'ќ', 'ѕ':
			return "mk"
		case 'ђ', 'ћ':
			return "sr"
		case 'ы', 'э':
			ru = true
		}
	}
	fallback := ""
	if ru {
		fallback = "ru"
	}
	return statistical(text, cyrillicLangs, fallback)
}

// statistical runs whatlanggo over a bounded sample among langs; short
// texts need a confident answer, and fallback is returned when unsure.
func statistical(text string, langs map[whatlanggo.Lang]bool, fallback string) string {
	sample := text
	if len(sample) > statSampleBytes {
		sample = sample[:statSampleBytes]
	}
	for i := 0; i < 4 && !utf8.ValidString(sample); i++ {
		sample = sample[:len(sample)-1] // a rune cut in half at the end
	}
	runes := utf8.RuneCountInString(sample)
	if runes < minLatinRunes {
		return fallback
	}
	info := whatlanggo.DetectWithOptions(sample, whatlanggo.Options{Whitelist: langs})
	if runes < minDetectRunes && info.Confidence < minLatinConfidence {
		return fallback
	}
	if c := info.Lang.Iso6391(); c != "" {
		return c
	}
	return fallback
}
