package store

import "testing"

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"ascii lower", "john smith", "john smith"},
		{"ascii upper", "JOHN SMITH", "john smith"},
		{"trim and collapse", "  Mary   Ann\t\tO'Neil  ", "mary ann oneil"},
		{"acute", "José García", "jose garcia"},
		{"umlaut upper", "MÜLLER", "muller"},
		{"stroke l", "Łukasz Wójcik", "lukasz wojcik"},
		{"sharp s", "Strauß", "strauss"},
		{"capital sharp s", "STRAUẞ", "strauss"},
		{"o slash", "Søren Østergaard", "soren ostergaard"},
		{"ae ligature", "Æsa Ærø", "aesa aero"},
		{"oe ligature", "Œuvre Cœur", "oeuvre coeur"},
		{"dotted capital I", "İlker", "ilker"},
		{"dotless i", "Yıldız", "yildiz"},
		{"cedilla", "Çelik François", "celik francois"},
		{"diaeresis", "Zoë Brontë", "zoe bronte"},
		{"vietnamese", "Nguyễn Văn Đức", "nguyen van duc"},
		{"vietnamese upper", "NGUYỄN ĐỨC", "nguyen duc"},
		{"polish", "Zażółć Gęślą", "zazolc gesla"},
		{"romanian", "Ștefan Țurcanu", "stefan turcanu"},
		{"icelandic", "Þórður Guðmundsson", "thordur gudmundsson"},
		{"maltese h", "Ħaġar", "hagar"},
		{"nbsp and ideographic space", "Ana\u00a0Lúcia\u3000Souza", "ana lucia souza"},
		{"full-width letters", "ＡＢＣ", "abc"},
		{"fi ligature", "ﬁlipe", "filipe"},
		{"typographic apostrophe", "D’Angelo", "dangelo"},
		{"apostrophe upper case", "O'CONNOR", "oconnor"},
		{"hyphen", "Al-Shehri", "alshehri"},
		{"typographic hyphen", "Jean‐Luc", "jeanluc"},
		{"hyphen between spaces", "Smith - Jones", "smith jones"},
		{"hyphen between spaces, accented", "Müller - Lüdenscheidt", "muller ludenscheidt"},
		{"leading and trailing marks", "'Anna-' ", "anna"},
		{"combining sequence", "Jose\u0301", "jose"},
		{"japanese romanised", "Ōtani Shōhei", "otani shohei"},
		{"arabic romanised", "ʿAbd al-Raḥmān", "ʿabd alrahman"},
		{"non latin kept", "Дмитрий", "дмитрии"},
		{"digits kept", "Agent 007", "agent 007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeName(tt.in); got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeNameIdempotent(t *testing.T) {
	for _, in := range []string{"José MÜLLER", "Łukasz  Çelik", "Nguyễn Thị Ánh", "Strauß Øre", "O'Brien-Smith", "Al-Ṣāliḥ"} {
		once := NormalizeName(in)
		if twice := NormalizeName(once); twice != once {
			t.Errorf("NormalizeName(NormalizeName(%q)) = %q, want %q", in, twice, once)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"e164", "+34612345678", "34612345678"},
		{"formatted", "+1 (415) 555-0132", "14155550132"},
		{"dots", "+33 6.12.34.56.78", "33612345678"},
		{"no digits", "n/a", ""},
		{"non ascii digits dropped", "+44 ７700", "44700"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizePhone(tt.in); got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
