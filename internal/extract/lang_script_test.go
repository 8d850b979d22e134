package extract

import "testing"

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"urdu headline", "کینرائے پیٹرز انجرڈ کیمار روچ کی جگہ ویسٹ انڈین ٹیسٹ سکواڈ میں شامل", "ur"},
		{"urdu without telling letters", "پاکستان کی حکومت کا اعلان", "ur"},
		{"persian", "رئیس جمهور ایران در سفر به چین گفت که این توافق برای دو کشور مهم است", "fa"},
		{"arabic", "قال الرئيس في مؤتمر صحفي إن الحكومة ستعلن خطة جديدة للاقتصاد", "ar"},
		{"pashto", "د افغانستان ولسمشر وویل چې سوله ډېره اړینه ده", "ps"},
		{"japanese", "先日、不正に改造したiPhoneを販売したとして逮捕された", "ja"},
		{"chinese", "中国国家主席今天在北京会见了来访的外国领导人", "zh"},
		{"korean", "대통령은 오늘 기자회견에서 새로운 경제 정책을 발표했다", "ko"},
		{"greek", "Ο πρωθυπουργός ανακοίνωσε νέα μέτρα για την οικονομία", "el"},
		{"russian headline", "Президент России провёл переговоры с канцлером Германии", "ru"},
		{"english headline", "The mayor promised to finish the harbour works by the end of the year", "en"},
		{"german headline", "Der Bürgermeister hat versprochen, die Arbeiten am Hafen bis Ende des Jahres abzuschließen", "de"},
		{"too short to tell", "Breaking news", ""},
		{"no letters", "2024 — 12:30 / 45", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectLanguage(tt.text); got != tt.want {
				t.Errorf("detectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func BenchmarkDetectLanguage(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"urdu headline", "کینرائے پیٹرز انجرڈ کیمار روچ کی جگہ ویسٹ انڈین ٹیسٹ سکواڈ میں شامل"},
		{"english headline", "The mayor promised to finish the harbour works by the end of the year"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				detectLanguage(bc.text)
			}
		})
	}
}
