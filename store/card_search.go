package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search kinds: what a typed query was understood as. A query can be more
// than one kind (an all-digit string is both a phone number and an id prefix);
// the results are the union.
const (
	SearchAll         = "all"    // empty query: every card, newest first
	SearchIDPrefix    = "id"     // card id or id prefix (4+ hex digits)
	SearchLast4       = "last4"  // exactly 4 digits: current or former last 4
	SearchName        = "name"   // any part of the holder's name
	SearchEmail       = "email"  // contains '@': e-mail prefix
	SearchPhone       = "phone"  // 5+ digits in a phone-like string
	SearchBIN         = "bin"    // exactly 6 digits: the card number's first 6
	SearchPAN         = "pan"    // a full card number: found by its keyed hash
	SearchMaskedPAN   = "masked" // first 6, a mask, last 4: "424242••••••4242"
	MaxSearchRunes    = 200      // longer queries are cut to this
	MinNameFragment   = 3        // trigram: shorter fragments have no index
	SearchCountCap    = 1000     // counting stops after this many
	DefaultSearchPage = 25       // results per page
	maxSearchPage     = 200
	hexDigitsLower    = "0123456789abcdef"
)

// CardQuery is a search as understood from the box: the kinds it is tried as
// and the normalised terms for each. ParseCardQuery builds it.
type CardQuery struct {
	// Raw is the query after cleaning (control characters removed, spaces
	// trimmed, cut to MaxSearchRunes).
	Raw string
	// Truncated reports whether the query was cut.
	Truncated bool
	Kinds     []string
	// IDPrefix is the lower-case id prefix (dashes kept as typed).
	IDPrefix string
	Last4    string
	// NameTerms are the normalised words of a name search; each must occur
	// in the name. TooShort reports a name search whose every word is below
	// MinNameFragment, which cannot use the index.
	NameTerms []string
	TooShort  bool
	// EmailPrefix is lower case.
	EmailPrefix string
	// PhoneDigits are the typed digits; PhoneNational the same without
	// leading zeros, a trunk 0 or an international 00 ("07700 900123" →
	// "7700900123", "0049 151…" → "49151…"); "" when under 5 digits.
	PhoneDigits   string
	PhoneNational string
	// BIN is the first 6 digits of a BIN or masked-number search; Last4
	// holds the last 4 of a masked number.
	BIN string
	// pan is the full card number of a SearchPAN query, digits only. It is
	// never shown, logged or kept: Raw holds the masked number instead.
	pan string
	// Masked reports a card number among other words, masked in Raw: no
	// field is searched for it and it is not shown back.
	Masked bool
}

// Has reports whether the query is tried as kind.
func (q CardQuery) Has(kind string) bool { return slices.Contains(q.Kinds, kind) }

// ParseCardQuery reads what was typed in the search box:
//   - empty: all cards;
//   - exactly 4 digits: the current or a former last 4;
//   - exactly 6 digits: a BIN (the first 6 of the number), and also a
//     phone and an id prefix;
//   - 13 to 19 digits, spaces or dashes between them, that pass the Luhn
//     check: a full card number, current or former, found by its keyed
//     hash; Raw becomes the masked number, so the number is not shown back
//     (a card number among other words is masked in Raw too, and Masked
//     set);
//   - 6 digits, a mask (• * x …) and 4 digits: the first 6 and last 4 of a
//     card number, current or former;
//   - contains '@': an e-mail, matched as a case-insensitive prefix;
//   - digits with phone punctuation (+ - . ( ) spaces) and 5+ digits: a phone
//     number, matched as a prefix of the international number (dial code and
//     number) or of the national number, with or without a trunk 0; an
//     all-digit string is also an id prefix;
//   - 4 to 36 hex digits and dashes: an id prefix (and, when it has letters, a
//     name fragment too: "bead" is both);
//   - one word with letters and a digit or . _ +: the start of an e-mail
//     ("jose.garcia", "jgarcia42"), and a name;
//   - anything else: a name; every word of 3+ letters must occur in the name,
//     ignoring case and accents.
func ParseCardQuery(raw string) CardQuery {
	q := CardQuery{}
	q.Raw, q.Truncated = cleanQuery(raw)
	s := q.Raw
	if s == "" {
		q.Kinds = []string{SearchAll}
		return q
	}
	lower := strings.ToLower(s)
	digits := NormalizePhone(s)
	switch {
	case len(s) == 4 && len(digits) == 4:
		q.Kinds = []string{SearchLast4}
		q.Last4 = digits
		return q
	case isCardNumber(s, digits):
		// A long phone number ("0049 151 2345 6789", "+49 157 33 23 19
		// 27") can pass the Luhn check too (one in ten do): when no card
		// has the number, it is tried as a phone.
		q.Kinds = []string{SearchPAN, SearchPhone}
		q.pan = digits
		q.Raw = MaskPAN(digits)
		q.PhoneDigits, q.PhoneNational = digits, nationalDigits(digits)
		return q
	case len(s) == BINLength && len(digits) == BINLength:
		q.Kinds = []string{SearchBIN, SearchPhone, SearchIDPrefix}
		q.BIN = digits
		q.PhoneDigits, q.PhoneNational = digits, nationalDigits(digits)
		q.IDPrefix = digits
		return q
	}
	if m := MaskCardNumbers(s); m != s {
		s, q.Raw, q.Masked = m, m, true
		lower, digits = strings.ToLower(s), NormalizePhone(s)
	}
	if bin, last4, ok := parseMaskedPAN(s); ok {
		q.Kinds = []string{SearchMaskedPAN}
		q.BIN, q.Last4 = bin, last4
		return q
	}
	switch {
	case strings.Contains(s, "@"):
		q.Kinds = []string{SearchEmail}
		q.EmailPrefix = lower
		return q
	case len(digits) >= 5 && isPhoneLike(s):
		q.Kinds = []string{SearchPhone}
		q.PhoneDigits, q.PhoneNational = digits, nationalDigits(digits)
		if len(digits) == len(s) && len(s) <= 36 {
			q.Kinds = append(q.Kinds, SearchIDPrefix)
			q.IDPrefix = lower
		}
		return q
	}
	if isIDPrefix(lower) {
		q.Kinds = append(q.Kinds, SearchIDPrefix)
		q.IDPrefix = lower
		if len(lower) > 8 && lower[8] == '-' { // the UUID layout: nothing else
			return q
		}
	}
	if isEmailLocalPart(lower) {
		q.Kinds = append(q.Kinds, SearchEmail)
		q.EmailPrefix = lower
	}
	if strings.ContainsFunc(s, unicode.IsLetter) || !q.Has(SearchIDPrefix) {
		q.NameTerms = nameTerms(s)
		if len(q.NameTerms) == 0 {
			q.TooShort = true
		}
		if !q.TooShort || len(q.Kinds) == 0 {
			q.Kinds = append(q.Kinds, SearchName)
		}
	}
	return q
}

// cleanQuery drops control and format characters (bidi overrides included),
// trims and collapses space, and cuts to MaxSearchRunes.
func cleanQuery(s string) (string, bool) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	n, cut := 0, false
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n >= MaxSearchRunes {
			cut = true
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String(), cut
}

// isEmailLocalPart reports whether s reads as the start of an e-mail
// address rather than a name: one word of letters, digits and . _ + - with a
// letter and at least one of . _ + or a digit ("jose.garcia", "jgarcia42").
func isEmailLocalPart(s string) bool {
	letter, mark := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			letter = true
		case '0' <= c && c <= '9', c == '.', c == '_', c == '+':
			mark = true
		case c == '-':
		default:
			return false
		}
	}
	return letter && mark && len(s) >= MinNameFragment
}

// nationalDigits returns digits without leading zeros (a trunk 0 or an
// international 00), or "" when fewer than 5 digits remain.
func nationalDigits(digits string) string {
	n := strings.TrimLeft(digits, "0")
	if len(n) < 5 {
		return ""
	}
	return n
}

// isCardNumber reports whether s, whose ASCII digits are digits, reads as
// a full card number: 13 to 19 digits that pass the Luhn check, with
// nothing around them but what a phone number is written with (spaces,
// dashes, dots, slashes, brackets, a plus), since it may be one.
func isCardNumber(s, digits string) bool {
	return len(digits) >= 13 && len(digits) <= 19 && isPhoneLike(s) && LuhnValid(digits)
}

// MaskPAN returns the form in which a full card number may be shown: its
// first 6 and last 4 digits around bullets, "424242••••••4242".
func MaskPAN(pan string) string {
	if len(pan) < BINLength+4 {
		return strings.Repeat("•", len(pan))
	}
	return pan[:BINLength] + strings.Repeat("•", len(pan)-BINLength-4) + pan[len(pan)-4:]
}

// parseMaskedPAN reads a masked card number: 6 digits, one or more mask
// characters (• * x X … .), 4 digits, spaces anywhere.
func parseMaskedPAN(s string) (bin, last4 string, ok bool) {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < BINLength+4+1 || NormalizePhone(s[:BINLength]) != s[:BINLength] || NormalizePhone(s[len(s)-4:]) != s[len(s)-4:] {
		return "", "", false
	}
	mid := s[BINLength : len(s)-4]
	for _, r := range mid {
		if !strings.ContainsRune("•*xX….", r) {
			return "", "", false
		}
	}
	return s[:BINLength], s[len(s)-4:], true
}

func isPhoneLike(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789+-.() /", r) {
			return false
		}
	}
	return true
}

// isIDPrefix reports whether s can start a UUID: 4 to 36 hex digits and
// dashes, starting with a hex digit.
func isIDPrefix(s string) bool {
	if len(s) < 4 || len(s) > 36 || s[0] == '-' {
		return false
	}
	hex := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case strings.IndexByte(hexDigitsLower, c) >= 0:
			hex++
		case c == '-':
		default:
			return false
		}
	}
	return hex >= 4
}

// nameTerms splits a name search into normalised words of at least
// MinNameFragment characters; shorter words are dropped (they have no
// trigram), unless the query is one short word, which gives none.
func nameTerms(s string) []string {
	var out []string
	for _, w := range strings.Fields(NormalizeName(s)) {
		if utf8.RuneCountInString(w) >= MinNameFragment && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// CardFilter narrows a search; empty fields match everything.
type CardFilter struct {
	Status   string
	Type     string
	Approval string
}

// Card filter values, as the schema spells them.
var (
	CardStatuses        = []string{"ACTIVE", "FROZEN", "INACTIVE", "BLOCKED", "EXPIRED", "DELETED"}
	CardTypes           = []string{"VIRTUAL", "PHYSICAL"}
	CardApprovalMethods = []string{"NONE", "WEBHOOK", "TOP_UP", "DEFI"}
)

// CardHit is one search result: the card and, when the query matched a
// former number, that number's last 4.
type CardHit struct {
	Card
	// Key is the keyset position of the card (its rowid); results come in
	// decreasing Key.
	Key int64
	// FormerLast4 is set when the card was found by a number it no longer
	// has.
	FormerLast4 string
	// StatusSince is when the card's status was last changed by a freeze or
	// an unfreeze, 0 when never.
	StatusSince int64
}

// CardSearchResult is one page of results.
type CardSearchResult struct {
	Hits []CardHit
	// Next is the key to pass as After for the next page, 0 on the last.
	Next int64
	// Count is the number of matches, at most SearchCountCap. CountCapped
	// reports that there may be more: past the cap, or (with filters) past
	// the candidates a count reads.
	Count       int
	CountCapped bool
	panMatch    bool
}

// CardSearch builds a card search, in the manner of Miniflux's
// EntryQueryBuilder: chain the With… calls, then call Page.
//
// Every kind is answered by an index and the results are ordered by the
// cards' rowid, newest first, which is also the keyset: a page is "rowid <
// After", so paging never skips or repeats a card, whatever is added
// meanwhile, and no query sorts more than the matches of an index lookup.
type CardSearch struct {
	s      *Store
	q      CardQuery
	f      CardFilter
	after  int64
	limit  int
	counts bool
}

// NewCardSearch starts a search for q.
func (s *Store) NewCardSearch(q CardQuery) *CardSearch {
	return &CardSearch{s: s, q: q, limit: DefaultSearchPage, counts: true}
}

// WithFilter narrows by status, type and approval method.
func (b *CardSearch) WithFilter(f CardFilter) *CardSearch { b.f = f; return b }

// After starts the page after the card with this key (0: the first page).
func (b *CardSearch) After(key int64) *CardSearch { b.after = key; return b }

// WithLimit sets the page size (1 to 200).
func (b *CardSearch) WithLimit(n int) *CardSearch {
	b.limit = max(1, min(n, maxSearchPage))
	return b
}

// WithoutCount skips counting the matches.
func (b *CardSearch) WithoutCount() *CardSearch { b.counts = false; return b }

// filters are the search's filters as conditions on the card (alias c).
func (b *CardSearch) filters() conditions {
	var c conditions
	if b.f.Status != "" {
		c.add("c.status = ?", b.f.Status)
	}
	if b.f.Type != "" {
		c.add("c.type = ?", b.f.Type)
	}
	if b.f.Approval != "" {
		c.add("c.approval_method = ?", b.f.Approval)
	}
	return c
}

// arms returns one SELECT per kind of the query, each an indexed lookup
// joined to its cards and filtered, yielding (k, former): the card's rowid
// and, for a hit on a former number, that number's last 4. keyed adds the
// keyset bound.
func (b *CardSearch) arms(keyed bool) ([]string, []any) {
	var arms []string
	var args []any
	q := b.q
	// arm completes a SELECT whose lookup binds largs, with the filters and
	// the keyset bound.
	arm := func(sel, key string, largs []any) {
		c := b.filters()
		if keyed && b.after > 0 {
			c.add(key+" < ?", b.after)
		}
		args = append(append(args, largs...), c.args...)
		arms = append(arms, sel+c.and())
	}
	for _, k := range q.Kinds {
		switch k {
		case SearchLast4:
			arm(`SELECT c.rowid AS k, '' AS former FROM cards c WHERE c.last4 = ?`, "c.rowid", []any{q.Last4})
			// Former numbers. The current number is in card_numbers too and
			// is found above. A card whose current number has the same last
			// 4 is found above as well: it is left out by its key (the set
			// above, read once from cards_last4), not by reading its row,
			// so without filters this arm reads only its index
			// (card_numbers_former_last4 holds the card's key) — at 10M
			// cards a last 4 has ~100 former numbers.
			arm(`SELECT n.card_key AS k, n.last4 AS former FROM `+b.numbersBy("card_numbers_former_last4")+`
	WHERE n.last4 = ? AND n.inactive_since IS NOT NULL AND n.card_key NOT IN (SELECT rowid FROM cards WHERE last4 = ?)`, "n.card_key", []any{q.Last4, q.Last4})
		case SearchBIN:
			arm(`SELECT c.rowid AS k, '' AS former FROM cards c INDEXED BY cards_bin WHERE c.bin = ?`, "c.rowid", []any{q.BIN})
		case SearchMaskedPAN:
			// Every number, current or former, with this first 6 and last
			// 4, from one index that holds its card's key (migration 0033),
			// in the order of the keys. A card's numbers never share a last
			// 4, so each card comes once.
			arm(`SELECT n.card_key AS k, CASE WHEN n.inactive_since IS NULL THEN '' ELSE n.last4 END AS former FROM `+b.numbersBy("card_numbers_last4")+`
	WHERE n.last4 = ? AND n.first6 = ?`, "n.card_key", []any{q.Last4, q.BIN})
		case SearchIDPrefix:
			lo, hi := prefixRange(q.IDPrefix)
			arm(`SELECT c.rowid AS k, '' AS former FROM cards c WHERE c.id >= ? AND c.id < ?`, "c.rowid", []any{lo, hi})
		case SearchEmail:
			lo, hi := prefixRange(q.EmailPrefix)
			arm(`SELECT c.rowid AS k, '' AS former FROM cards c WHERE c.email COLLATE NOCASE >= ? AND c.email COLLATE NOCASE < ?`, "c.rowid", []any{lo, hi})
		case SearchPhone:
			// "0049 151…" and "0151…" lose their leading zeros (an
			// international or a trunk prefix); each form is tried as the
			// start of the international and of the national number.
			for _, digits := range uniqueNonEmpty(q.PhoneDigits, q.PhoneNational) {
				lo, hi := prefixRange(digits)
				arm(`SELECT c.rowid AS k, '' AS former FROM cards c WHERE c.phone_norm >= ? AND c.phone_norm < ?`, "c.rowid", []any{lo, hi})
				arm(`SELECT c.rowid AS k, '' AS former FROM cards c
	WHERE substr(c.phone_norm, length(c.phone_dial_code)) >= ? AND substr(c.phone_norm, length(c.phone_dial_code)) < ?`, "c.rowid", []any{lo, hi})
			}
		case SearchName:
			if len(q.NameTerms) == 0 {
				continue
			}
			// The index alone answers a name search; cards is joined only
			// to filter.
			sel := `SELECT f.rowid AS k, '' AS former FROM cards_name_fts f WHERE cards_name_fts MATCH ?`
			if b.filtered() {
				sel = `SELECT f.rowid AS k, '' AS former FROM cards_name_fts f JOIN cards c ON c.rowid = f.rowid WHERE cards_name_fts MATCH ?`
			}
			arm(sel, "f.rowid", []any{ftsQuery(q.NameTerms)})
		case SearchAll:
			arm(`SELECT c.rowid AS k, '' AS former FROM cards c WHERE 1`, "c.rowid", nil)
		}
	}
	return arms, args
}

// numbersBy is the FROM of an arm that finds card numbers n by index: the
// number's card_key is the card's key, so the cards are joined only to
// filter, and without filters the arm reads only the index.
func (b *CardSearch) numbersBy(index string) string {
	if b.filtered() {
		return `card_numbers n INDEXED BY ` + index + ` JOIN cards c ON c.rowid = n.card_key`
	}
	return `card_numbers n INDEXED BY ` + index
}

func (b *CardSearch) filtered() bool {
	return b.f.Status != "" || b.f.Type != "" || b.f.Approval != ""
}

// keysSQL builds the query of the matching keys, newest first, at most
// limit; keyed starts after b.after. The arms are a compound SELECT ordered
// by k: SQLite merges them, each in index order (the trigram index and the
// rowid walk backwards) or sorted when it is a small index range, and stops
// at the LIMIT, so a broad name never sorts every match.
func (b *CardSearch) keysSQL(keyed bool, limit int) (string, []any) {
	arms, args := b.arms(keyed)
	if len(arms) == 0 {
		return "", nil
	}
	return strings.Join(arms, "\nUNION\n") + "\nORDER BY k DESC LIMIT ?", append(args, limit)
}

// countBudget is how many candidates a filtered count reads at most: past
// it the count reads "at least".
const countBudget = 1000

// countSQL builds the count: how many candidates the query's index lookups
// give (up to countBudget+1, newest first, the filters left aside), and how
// many of those pass the filters (capped at SearchCountCap+1).
func (b *CardSearch) countSQL() (string, []any) {
	nf := *b
	nf.f = CardFilter{}
	arms, args := nf.arms(false)
	if len(arms) == 0 {
		return "", nil
	}
	c := b.filters()
	limit := SearchCountCap + 1
	if b.filtered() {
		limit = countBudget + 1
	}
	q := `WITH cand(k) AS MATERIALIZED (SELECT DISTINCT k FROM (` + strings.Join(arms, "\nUNION\n") + `) ORDER BY k DESC LIMIT ?)
	SELECT (SELECT count(*) FROM cand), (SELECT count(*) FROM (SELECT 1 FROM cand CROSS JOIN cards c ON c.rowid = cand.k` + c.where() + ` LIMIT ?))`
	// In the order of the placeholders: the arms, the candidate limit, the
	// filters, the count cap.
	args = append(append(append(args, limit), c.args...), SearchCountCap+1)
	return q, args
}

// Page runs the search and returns one page of results. On the first page
// the keys of up to SearchCountCap+1 matches are read in one pass, which
// gives the page and the count; later pages count separately.
func (b *CardSearch) Page(ctx context.Context) (CardSearchResult, error) {
	var res CardSearchResult
	if b.q.Has(SearchPAN) && b.after == 0 {
		res, found, err := b.panPage(ctx)
		if err != nil || found {
			return res, err
		}
	}
	fetch := b.limit + 1
	// An unfiltered first page counts inline; a filtered search would have
	// to read every candidate to find the cap, so it counts on a budget.
	countInline := b.counts && b.after == 0 && !b.filtered()
	if countInline {
		fetch = SearchCountCap + 1
	}
	kq, args := b.keysSQL(true, fetch)
	if kq == "" {
		return res, nil
	}
	keys, err := b.readKeys(ctx, kq, args)
	if err != nil {
		return res, err
	}
	if countInline {
		res.Count = min(len(keys), SearchCountCap)
		res.CountCapped = len(keys) > SearchCountCap
	}
	if len(keys) > b.limit {
		keys = keys[:b.limit]
		res.Next = keys[b.limit-1].k
	}
	if res.Hits, err = b.readHits(ctx, keys); err != nil {
		return res, err
	}
	if b.counts && !countInline {
		if err := b.count(ctx, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// searchKey is a matching card's rowid and, for a hit on a former number,
// that number's last 4.
type searchKey struct {
	k      int64
	former string
}

// readKeys runs the keys query, newest card first, each card once.
func (b *CardSearch) readKeys(ctx context.Context, kq string, args []any) ([]searchKey, error) {
	var keys []searchKey
	rows, err := b.s.r.QueryContext(ctx, kq, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k searchKey
		if err := rows.Scan(&k.k, &k.former); err != nil {
			return nil, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
		}
		// The same card found twice (a name and an id prefix, say)
		// comes out adjacent: keep one, with the former number if any.
		if n := len(keys); n > 0 && keys[n-1].k == k.k {
			if k.former != "" {
				keys[n-1].former = k.former
			}
			continue
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
	}
	return keys, nil
}

// readHits reads the cards of keys, in their order.
func (b *CardSearch) readHits(ctx context.Context, keys []searchKey) ([]CardHit, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	kargs := make([]any, len(keys))
	for i, k := range keys {
		kargs[i] = k.k
	}
	list, kargs := inList(kargs)
	rows, err := b.s.r.QueryContext(ctx, `SELECT `+cardColumns+`, c.rowid,
		COALESCE((SELECT max(h.at) FROM card_status_history h WHERE h.card_id = c.id), 0)
		FROM cards c WHERE c.rowid IN (`+list+`)`, kargs...)
	if err != nil {
		return nil, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
	}
	defer rows.Close()
	byKey := make(map[int64]CardHit, len(keys))
	for rows.Next() {
		var h CardHit
		c, err := scanCard(rows, &h.Key, &h.StatusSince)
		if err != nil {
			return nil, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
		}
		h.Card = c
		byKey[h.Key] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
	}
	var hits []CardHit
	for _, k := range keys {
		if h, ok := byKey[k.k]; ok {
			h.FormerLast4 = k.former
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// count fills in res's count on a budget (countSQL), never fewer than the
// page shows.
func (b *CardSearch) count(ctx context.Context, res *CardSearchResult) error {
	cq, cargs := b.countSQL()
	var candidates int
	if err := b.s.r.QueryRowContext(ctx, cq, cargs...).Scan(&candidates, &res.Count); err != nil {
		return fmt.Errorf("store: count cards %q: %w", b.q.Raw, err)
	}
	res.CountCapped = res.Count > SearchCountCap || candidates > countBudget
	res.Count = min(res.Count, SearchCountCap)
	// The budget may end before the page does: never count fewer than the
	// page shows.
	if b.after == 0 && res.Count < len(res.Hits) {
		res.Count = len(res.Hits)
		res.CountCapped = res.CountCapped || res.Next != 0
	}
	return nil
}

// panPage answers a full card number: the one card that has or had it
// (a card number is unique across every number of every card), if it
// passes the filters. found reports a hit; without one the query's other
// kinds are tried.
func (b *CardSearch) panPage(ctx context.Context) (res CardSearchResult, found bool, err error) {
	h, err := b.s.FindCardByPAN(ctx, b.q.pan)
	if errors.Is(err, ErrNotFound) {
		return res, false, nil
	}
	if err != nil {
		return res, false, fmt.Errorf("store: search cards %q: %w", b.q.Raw, err)
	}
	f := b.f
	if (f.Status != "" && h.Status != f.Status) || (f.Type != "" && h.Type != f.Type) || (f.Approval != "" && h.ApprovalMethod != f.Approval) {
		return res, false, nil
	}
	res.Hits, res.Count, res.panMatch = []CardHit{h}, 1, true
	return res, true, nil
}

// PANMatch reports whether the page's single hit is the card with the full
// card number the query holds.
func (r CardSearchResult) PANMatch() bool { return r.panMatch }

// FindCardByPAN returns the card that has or had the full card number pan
// (digits only), or ErrNotFound. The number is looked up by its keyed hash
// (card_numbers.pan_hash, current and former numbers alike) and goes no
// further: it is in no error and no log. A hit on a former number has
// FormerLast4 set.
func (s *Store) FindCardByPAN(ctx context.Context, pan string) (CardHit, error) {
	key := s.panKey
	var h CardHit
	var err error
	var numberLast4 string
	var former bool
	h.Card, err = scanCard(s.r.QueryRowContext(ctx, `SELECT `+cardColumns+`, c.rowid, n.last4, n.inactive_since IS NOT NULL
	FROM card_numbers n JOIN cards c ON c.id = n.card_id WHERE n.pan_hash = ?`, HashPAN(key, pan)), &h.Key, &numberLast4, &former)
	if errors.Is(err, sql.ErrNoRows) {
		return CardHit{}, fmt.Errorf("store: find card by number: %w", ErrNotFound)
	}
	if err != nil {
		return CardHit{}, fmt.Errorf("store: find card by number: %w", err)
	}
	if former {
		h.FormerLast4 = numberLast4
	}
	return h, nil
}

// Explain returns SQLite's query plan for the page and count queries, for
// tests that check no search scans the whole cards table.
func (b *CardSearch) Explain(ctx context.Context) ([]string, error) {
	var out []string
	kq, kargs := b.keysSQL(true, SearchCountCap+1)
	cq, cargs := b.countSQL()
	for _, qa := range []struct {
		q    string
		args []any
	}{{kq, kargs}, {cq, cargs}} {
		q, args := qa.q, qa.args
		if q == "" {
			continue
		}
		rows, err := b.s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: explain search: %w", err)
		}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: explain search: %w", err)
			}
			out = append(out, detail)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: explain search: %w", err)
		}
	}
	return out, nil
}

// prefixRange returns the half-open range [p, p+U+10FFFF) of strings that
// start with p: an index range scan, where LIKE 'p%' could not use the index.
func prefixRange(p string) (string, string) {
	return p, p + "\U0010FFFF"
}

func uniqueNonEmpty(a, b string) []string {
	if b == "" || b == a {
		return []string{a}
	}
	return []string{a, b}
}

// ftsQuery turns name terms into an FTS5 query: each term a quoted string
// (quotes doubled, so no FTS5 syntax gets through), which the trigram
// tokenizer matches as a substring; all terms must match.
func ftsQuery(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " AND ")
}

// rekeyCards rebuilds what is keyed by the cards' rowids, the search's
// keys: the name index and the numbers' card_key. SQLite documents that a
// VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY,
// as cards is; the store runs this after the one VACUUM it runs.
func (s *Store) rekeyCards(ctx context.Context) error {
	err := s.inTxUntimed(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			cardSearchRebuild,
			`UPDATE card_numbers SET card_key = (SELECT c.rowid FROM cards c WHERE c.id = card_numbers.card_id)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: rebuild the cards' search keys: %w", err)
	}
	return nil
}

const cardSearchRebuild = `INSERT INTO cards_name_fts(cards_name_fts) VALUES ('rebuild')`

// CardSearchBulkLoad returns the statements a bulk loader of cards runs in
// its own transaction: before, to stop the name index following every
// insert; after, to put the triggers back and build the index in one pass.
// Run both in the same transaction, so a failed load loses no trigger.
func CardSearchBulkLoad() (before, after []string) {
	before = []string{
		`DROP TRIGGER cards_name_fts_insert`,
		`DROP TRIGGER cards_name_fts_delete`,
		`DROP TRIGGER cards_name_fts_update`,
	}
	after = []string{
		`CREATE TRIGGER cards_name_fts_insert AFTER INSERT ON cards
BEGIN
    INSERT INTO cards_name_fts(rowid, name_norm) VALUES (new.rowid, new.name_norm);
END`,
		`CREATE TRIGGER cards_name_fts_delete AFTER DELETE ON cards
BEGIN
    INSERT INTO cards_name_fts(cards_name_fts, rowid, name_norm) VALUES ('delete', old.rowid, old.name_norm);
END`,
		`CREATE TRIGGER cards_name_fts_update AFTER UPDATE OF name_norm ON cards
BEGIN
    INSERT INTO cards_name_fts(cards_name_fts, rowid, name_norm) VALUES ('delete', old.rowid, old.name_norm);
    INSERT INTO cards_name_fts(rowid, name_norm) VALUES (new.rowid, new.name_norm);
END`,
		cardSearchRebuild,
	}
	return before, after
}
