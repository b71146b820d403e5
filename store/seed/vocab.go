package seed

import (
	"strings"

	"cardops/store"
)

// token is one name part in the forms the generator needs, computed once.
type token struct {
	s     string // as written: "José Luis"
	upper string // upper case, accents kept: "JOSÉ LUIS"
	emb   string // embossed (ASCII upper case): "JOSE LUIS"
	norm  string // store.NormalizeName(s): "jose luis"
	mail  string // for an e-mail local part: "joseluis"
}

func newToken(s string) token {
	n := store.NormalizeName(s)
	return token{s: s, upper: strings.ToUpper(s), emb: strings.ToUpper(n), norm: n, mail: mailPart(n)}
}

// mailPart keeps the letters and digits of an already normalised name.
func mailPart(norm string) string {
	b := make([]byte, 0, len(norm))
	for i := 0; i < len(norm); i++ {
		if c := norm[i]; 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}

func tokens(ss []string) []token {
	out := make([]token, len(ss))
	for i, s := range ss {
		out[i] = newToken(s)
	}
	return out
}

// picker draws an index with probability proportional to its weight.
type picker struct {
	cum   []int
	total int
}

func newPicker(weights []int) picker {
	p := picker{cum: make([]int, len(weights))}
	for i, w := range weights {
		p.total += w
		p.cum[i] = p.total
	}
	return p
}

func (p picker) pick(n int) int { // n uniform in [0, total)
	for i, c := range p.cum {
		if n < c {
			return i
		}
	}
	return len(p.cum) - 1
}

func weights(ws []weighted) []int {
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = w.w
	}
	return out
}

// vlocale is a locale with its tokens and pickers prepared.
type vlocale struct {
	*locale
	dial             any // boxed once: bound for every card
	dialDigits       string
	male, female     []token
	lastM, lastF     []token
	middleM, middleF []token
	domains          []string
	domainPick       picker
	local            []vmerchant
}

// vmerchant is a merchant with its columns boxed once for binding.
type vmerchant struct {
	merchant
	cur                      currency
	name, city, country, mcc any
	txCurrency               any
}

func newVMerchant(m merchant) vmerchant {
	cur, ok := currencies[m.currency]
	if !ok {
		panic("seed: merchant " + m.name + ": unknown currency " + m.currency)
	}
	return vmerchant{merchant: m, cur: cur, name: m.name, city: m.city, country: m.country, mcc: m.mcc, txCurrency: m.currency}
}

// vocabulary is everything the generator draws from, prepared once per
// process.
type vocabulary struct {
	locales      []vlocale
	localePick   picker
	online       []vmerchant
	travel       []vmerchant // every local merchant, for purchases abroad
	declinePick  picker
	globalDomain picker
	providerPick picker
	devices      map[string][]any
	virtualBINs  picker
	physicalBINs picker
}

var vocab = buildVocabulary()

func buildVocabulary() *vocabulary {
	v := &vocabulary{}
	lw := make([]int, len(locales))
	for i := range locales {
		l := &locales[i]
		lw[i] = l.weight
		vl := vlocale{
			locale:     l,
			dial:       l.dialCode,
			dialDigits: store.NormalizePhone(l.dialCode),
			male:       tokens(l.male),
			female:     tokens(l.female),
			lastM:      tokens(l.last),
			middleM:    tokens(l.middleM),
			middleF:    tokens(l.middleF),
		}
		vl.lastF = vl.lastM
		if l.feminine != nil {
			fem := make([]string, len(l.last))
			for j, s := range l.last {
				fem[j] = l.feminine(s)
			}
			vl.lastF = tokens(fem)
		}
		for _, d := range l.domains {
			vl.domains = append(vl.domains, d.s)
		}
		vl.domainPick = newPicker(weights(l.domains))
		for _, m := range localMerchants[l.country] {
			vl.local = append(vl.local, newVMerchant(m))
		}
		v.locales = append(v.locales, vl)
	}
	v.localePick = newPicker(lw)
	for _, m := range onlineMerchants {
		v.online = append(v.online, newVMerchant(m))
	}
	for _, vl := range v.locales {
		v.travel = append(v.travel, vl.local...)
	}
	dw := make([]int, len(randomDeclines))
	for i, d := range randomDeclines {
		dw[i] = d.weight
	}
	v.declinePick = newPicker(dw)
	v.globalDomain = newPicker(weights(globalDomains))
	v.providerPick = newPicker(weights(walletProviders))
	v.devices = map[string][]any{}
	for p, ds := range devices {
		for _, d := range ds {
			v.devices[p] = append(v.devices[p], d)
		}
	}
	v.virtualBINs = newPicker(weights(virtualBINs))
	v.physicalBINs = newPicker(weights(physicalBINs))
	return v
}
