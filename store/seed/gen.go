package seed

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"cardops/store"
)

// Epoch is the fixed "now" of the demo data: every timestamp the seed writes
// lies before it (cards are created in the two years up to it, movements
// follow), and every current card number expires after it unless its card is
// EXPIRED. Using a constant instead of time.Now keeps runs identical.
var Epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

var epochMs = Epoch.UnixMilli()

const (
	minuteMs = int64(60_000)
	hourMs   = 60 * minuteMs
	dayMs    = 24 * hourMs
)

// The tables the seed writes, in insertion order (parents first).
const (
	tWallets = iota
	tWalletBalances
	tWalletMovements
	tCards
	tCardNumbers
	tCardTransactions
	tCardTokenizations
	numTables
)

type tableDef struct {
	name string
	cols []string
}

var tableDefs = [numTables]tableDef{
	tWallets:         {"wallets", []string{"id", "alias", "client_id", "address", "blockchain", "kind", "enabled", "created_at"}},
	tWalletBalances:  {"wallet_balances", []string{"wallet_id", "symbol", "name", "token_address", "balance_cents"}},
	tWalletMovements: {"wallet_movements", []string{"id", "wallet_id", "kind", "tx_hash", "from_address", "to_address", "amount_cents", "net_amount_cents", "token_symbol", "status", "created_at"}},
	tCards: {"cards", []string{"id", "card_holder_name", "name_norm", "email", "phone_dial_code", "phone_number", "phone_norm",
		"type", "bin", "last4", "exp_month", "exp_year", "status", "approval_method",
		"daily_limit_cents", "weekly_limit_cents", "monthly_limit_cents", "forwarded_3ds_type",
		"balance_cents", "wallet_id", "version", "created_at", "updated_at"}},
	tCardNumbers: {"card_numbers", []string{"card_id", "card_key", "first6", "last4", "pan_hash", "exp_month", "exp_year", "active_from", "inactive_since"}},
	tCardTransactions: {"card_transactions", []string{"id", "card_id", "parent_id", "datetime", "operation", "status",
		"bill_amount_cents", "transaction_amount_cents", "transaction_currency", "exchange_rate",
		"merchant_name", "merchant_city", "merchant_country", "merchant_mcc",
		"original_balance_cents", "new_balance_cents", "decline_code", "decline_description", "fee_fx_cents", "fee_atm_cents"}},
	tCardTokenizations: {"card_tokenizations", []string{"id", "card_id", "wallet_provider", "device_name", "status", "created_at"}},
}

// batch holds the rows generated for a run of cards, column values flattened
// per table in the order of tableDefs, ready to bind.
type batch struct {
	vals    [numTables][]any
	rows    [numTables]int
	cards   int
	pending atomic.Int32 // stagers still writing from it
}

func (b *batch) add(t int, v ...any) {
	b.vals[t] = append(b.vals[t], v...)
	b.rows[t]++
}

func (b *batch) reset() {
	for t := range b.vals {
		clear(b.vals[t]) // drop references so the old values can be collected
		b.vals[t] = b.vals[t][:0]
		b.rows[t] = 0
	}
	b.cards = 0
}

// Enumerations, as the schema spells them.
var (
	cardStatuses = []weightedAny{
		{"ACTIVE", 720}, {"FROZEN", 80}, {"INACTIVE", 50}, {"BLOCKED", 40}, {"EXPIRED", 60}, {"DELETED", 50},
	}
	approvalMethods = []weightedAny{{"NONE", 380}, {"WEBHOOK", 300}, {"TOP_UP", 120}, {"DEFI", 200}}
	threeDSTypes    = []weightedAny{{"AUTOMATIC", 750}, {"FORWARDED", 150}, {"DISABLED", 100}}

	// purchasesPerCard: how many purchases a card has made, per mille.
	purchasesPerCard = []weightedInt{
		{0, 260}, {1, 360}, {2, 170}, {3, 85}, {4, 48}, {5, 28}, {6, 18}, {8, 15}, {11, 10}, {16, 5}, {24, 1},
	}
	dailyLimits = []int64{20_000, 30_000, 50_000, 100_000, 200_000, 500_000}
)

type weightedAny struct {
	v any
	w int
}

type weightedInt struct {
	v int
	w int
}

type cardStatus int

const (
	stActive cardStatus = iota
	stFrozen
	stInactive
	stBlocked
	stExpired
	stDeleted
)

const approvalTopUp = 2 // index of TOP_UP in approvalMethods

// Boxed constants, so binding them allocates nothing.
var (
	vVirtual, vPhysical          any = "VIRTUAL", "PHYSICAL"
	vAuthorization, vClearing    any = "AUTHORIZATION", "CLEARING"
	vRefund, vReversal           any = "REFUND", "REVERSAL"
	vSuccess, vPending, vFailed  any = "SUCCESS", "PENDING", "FAILED"
	vRateOne                     any = "1"
	vDeposit, vWithdraw          any = "DEPOSIT", "WITHDRAW"
	vUSDC, vUSDT                 any = symbolUSDC, symbolUSDT
	vBlockchain                  any = blockchain
	vCardKind, vVirtualKind      any = "CARD", "VIRTUAL"
	vTokActive, vTokSuspended    any = "ACTIVE", "SUSPENDED"
	vTokDeleted                  any = "DELETED"
	vNoDecline                   any = ""
	vInt0, vInt1                 any = int64(0), int64(1)
	vUSDCName, vUSDCAddr         any = usdcName, usdcAddress
	vUSDTName, vUSDTAddr         any = usdtName, usdtAddress
	vHoldingKind, vHoldingAlias  any = "HOLDING", holdingAlias
	walletProviderNames          []any
	binValues                    = map[string]any{}
	cardStatusPick, approvalPick picker
	threeDSPick, purchasesPick   picker
)

func init() {
	cardStatusPick = newPicker(weightsAny(cardStatuses))
	approvalPick = newPicker(weightsAny(approvalMethods))
	threeDSPick = newPicker(weightsAny(threeDSTypes))
	pw := make([]int, len(purchasesPerCard))
	for i, p := range purchasesPerCard {
		pw[i] = p.w
	}
	purchasesPick = newPicker(pw)
	for _, p := range walletProviders {
		walletProviderNames = append(walletProviderNames, p.s)
	}
	for _, b := range append(append([]weighted{}, virtualBINs...), physicalBINs...) {
		binValues[b.s] = b.s
	}
}

func weightsAny(ws []weightedAny) []int {
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = w.w
	}
	return out
}

// purchase is one authorization and what followed it.
type purchase struct {
	m          *vmerchant
	rateV      int64 // USD per unit × rateScale
	rate       any   // the same, as the exchange_rate string
	refundPct  int64 // share of the cleared amount refunded, if refunded
	tx, bill   int64
	feeFx      int64
	feeAtm     int64
	clearTx    int64 // cleared amounts (a fuel pre-authorization clears lower)
	clearBill  int64
	clearFeeFx int64
	refundTx   int64
	refundBill int64
	open       bool           // no clearing or reversal follows in the data
	forced     *declineReason // a decline that does not depend on the balance
	declined   bool
	authID     any
}

func (p *purchase) debit() int64      { return p.bill + p.feeFx + p.feeAtm }
func (p *purchase) clearDebit() int64 { return p.clearBill + p.clearFeeFx + p.feeAtm }

// price derives the USD bills and the FX fees from the amounts in the
// merchant's currency.
func (p *purchase) price() {
	toBill := func(tx int64) int64 { return max(1, (tx*p.rateV+rateScale/2)/rateScale) }
	fxFee := func(bill int64) int64 {
		if p.m.cur.code == "USD" {
			return 0
		}
		return max(1, (bill*150+5_000)/10_000) // 1.5 %
	}
	p.bill = toBill(p.tx)
	p.feeFx = fxFee(p.bill)
	p.clearBill = toBill(p.clearTx)
	p.clearFeeFx = fxFee(p.clearBill)
	p.refundTx = p.clearTx * p.refundPct / 100
	p.refundBill = p.clearBill * p.refundPct / 100
	if p.refundPct > 0 && p.refundBill == 0 {
		p.refundTx, p.refundBill = p.clearTx, p.clearBill
	}
}

// shrink scales the purchase by permille/1000: the cardholder bought
// less.
func (p *purchase) shrink(permille int64) {
	scale := func(tx int64) int64 {
		tx = tx * permille / 1000
		if p.m.cur.zeroDecimal {
			tx -= tx % 100
		}
		return max(tx, 100)
	}
	p.tx, p.clearTx = scale(p.tx), scale(p.clearTx)
	p.clearTx = min(p.clearTx, p.tx)
	p.price()
}

type eventKind uint8

const (
	evAuth eventKind = iota
	evClear
	evReverse
	evRefund
)

type event struct {
	t    int64
	kind eventKind
	p    int32
}

// gen turns a card index into that card's rows. Every random choice for card
// i comes from a PCG seeded with (seed, i), so a card does not depend on
// which cards were generated before it in the same run.
type gen struct {
	seed     uint64
	key      []byte
	clientID any
	pcg      rand.PCG
	r        *rand.Rand
	b        *batch
	loc      *vlocale // the current card's holder's locale

	purchases []purchase
	events    []event
	buf       []byte
	times     []int64
	last4s    []string

	// The range of movement ids' leading bits the current card draws
	// from: see movementID.
	movementBase, movementSpan uint64
	// cardKey is the rowid the current card gets in the database, which
	// its numbers keep as card_key: the cards are copied in the order they
	// are generated, after the database's last (publish checks it).
	cardKey int64
}

func newGen(seed uint64, key []byte) *gen {
	g := &gen{seed: seed, key: key}
	g.r = rand.New(&g.pcg)
	g.reseed(streamGlobal, 0)
	g.clientID = newUUID(g.r)
	g.placeMovements(0, 1)
	return g
}

// placeMovements gives the card at place (0 … n-1, in the order of the
// cards' ids) the place-th of n equal ranges of the movement ids' 60
// leading random bits.
func (g *gen) placeMovements(place, n uint64) {
	g.movementSpan = (1 << 60) / n
	g.movementBase = place * g.movementSpan
}

// movementID returns the id of the movement made by the current card's
// event j of k (in time order): a version 4 UUID, random but for its 60
// leading bits falling in the j-th of k equal parts of the card's range
// (placeMovements). So a run's movement ids ascend as the rows are stored,
// card after card and in time order within one, and staging builds their
// index as it loads (inOrderIndexes). It takes two draws, as newUUID does.
func (g *gen) movementID(j, k int) string {
	part := max(g.movementSpan/uint64(k), 1)
	lead := g.movementBase + uint64(j)*part + g.r.Uint64()%part
	return formatUUID(v4Bits(lead, g.r.Uint64()))
}

func (g *gen) reseed(stream, i uint64) {
	g.pcg.Seed(mix64(g.seed^mix64(stream)), mix64(i^stream<<32))
}

// between returns a uniform value in [lo, hi); lo when the range is empty.
func (g *gen) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + g.r.Int64N(hi-lo)
}

func (g *gen) permille(n int) bool { return g.r.IntN(1000) < n }

func (g *gen) pick(p picker) int { return p.pick(g.r.IntN(p.total)) }

// monthsAfter returns the month and year that is months after t (ms).
func monthsAfter(t int64, months int) (int64, int64) {
	d := time.UnixMilli(t).UTC().AddDate(0, months, 0)
	return int64(d.Month()), int64(d.Year())
}

// endOfMonthMs is the first instant after the month m/y, when a card
// expiring m/y stops working.
func endOfMonthMs(m, y int64) int64 {
	return time.Date(int(y), time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

// orderBits is how many low bits of a cardOrder key hold the card's place
// in the run.
const orderBits = 27

const _ = uint(1<<orderBits - maxCards) // a run's places fit in orderBits

// cardOrder returns the places 0 … n-1 of the cards first … first+n-1 in
// the order of their ids. Generated in that order, the cards' rows reach
// every index keyed by the card's id (see inOrderIndexes) in ascending
// order, so staging builds those as it loads, with no sort. The cards' rows
// do not depend on it, only the order in which they are stored.
func (g *gen) cardOrder(first uint64, n int) []uint64 {
	return orderByID(n, func(place uint64) (uint64, uint64) {
		g.reseed(streamCards, first+place)
		return uuidBits(g.r) // a card's first draw is its id
	})
}

// orderByID returns the places 0 … n-1 sorted by the id idBits gives each,
// as (hi, lo). It holds one uint64 per place (80 MB for 10M cards): the
// leading bits of hi with the place below them, sorted; places whose ids
// share those bits are then sorted by the whole id.
func orderByID(n int, idBits func(place uint64) (hi, lo uint64)) []uint64 {
	const mask = 1<<orderBits - 1
	keys := make([]uint64, n)
	for i := range keys {
		hi, _ := idBits(uint64(i))
		keys[i] = hi&^mask | uint64(i)
	}
	slices.Sort(keys)
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && keys[hi]&^mask == keys[lo]&^mask {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(keys[lo:hi], func(a, b uint64) int {
				ah, al := idBits(a & mask)
				bh, bl := idBits(b & mask)
				return cmp.Or(cmp.Compare(ah, bh), cmp.Compare(al, bl))
			})
		}
		lo = hi
	}
	for i := range keys {
		keys[i] &= mask
	}
	return keys
}

// card generates card number idx (0-based across every run on the database)
// with its numbers, wallet, movements and tokenizations.
func (g *gen) card(idx uint64) {
	g.reseed(streamCards, idx)
	r, b, v := g.r, g.b, vocab
	b.cards++

	id := newUUID(r) // first draw: see cardOrder
	var cardID any = id
	loc := &v.locales[g.pick(v.localePick)]
	g.loc = loc
	status := cardStatus(g.pick(cardStatusPick))
	approval := g.pick(approvalPick)
	physical := g.permille(120)

	// Holder, e-mail and phone.
	name, norm, first, last := g.holderName(loc, physical)
	email := g.email(loc, first, last)
	phone, phoneNorm := g.phone(loc)

	// Limits: about a third of the cards carry at least one.
	var daily, weekly, monthly any
	var dailyCents int64
	if g.permille(350) {
		if g.permille(700) {
			dailyCents = dailyLimits[r.IntN(len(dailyLimits))]
			daily = dailyCents
		}
		if g.permille(500) {
			if dailyCents > 0 {
				weekly = dailyCents * int64(3+r.IntN(5))
			} else {
				weekly = int64(100_000 * (1 + r.IntN(20)))
			}
		}
		if g.permille(600) {
			if w, ok := weekly.(int64); ok {
				monthly = w * 4
			} else {
				monthly = int64(250_000 * (1 + r.IntN(20)))
			}
		}
	}
	threeDS := threeDSTypes[g.pick(threeDSPick)].v

	var bin string
	if physical {
		bin = physicalBINs[g.pick(vocab.physicalBINs)].s
	} else {
		bin = virtualBINs[g.pick(vocab.virtualBINs)].s
	}

	// Timeline: created, status change, end of activity.
	var created, statusAt, end int64
	validity := []int{36, 36, 48, 60}[r.IntN(4)]
	if status == stExpired {
		validity = 36
		created = epochMs - g.between(3*365*dayMs+35*dayMs, 4*365*dayMs+300*dayMs)
	} else {
		created = epochMs - g.between(2*dayMs, 730*dayMs)
	}
	created -= created % 1000
	switch status {
	case stActive:
		end = epochMs - minuteMs
	case stInactive:
		statusAt, end = created, created
	case stExpired:
		m, y := monthsAfter(created, validity)
		statusAt = endOfMonthMs(m, y)
		end = statusAt
	default:
		statusAt = created + (epochMs-created)*int64(300+r.IntN(690))/1000
		end = statusAt
	}
	// Follow-ups (clearings, refunds) may settle after a freeze, not after
	// a deletion.
	followEnd := epochMs - minuteMs
	if status == stDeleted || status == stInactive {
		followEnd = end
	}

	// Numbers: the first one at creation, one more per reissue.
	reissues := 0
	if status != stExpired && status != stInactive && end-created > 20*dayMs {
		switch n := r.IntN(1000); {
		case n < 70:
			reissues = 1
		case n < 100:
			reissues = 2
		}
	}
	g.times = append(g.times[:0], created)
	for range reissues {
		g.times = append(g.times, g.between(created+7*dayMs, end-dayMs))
	}
	sortInt64(g.times[1:])
	var expM, expY int64
	var last4 string
	g.last4s = g.last4s[:0]
	slot := idx * slotsPerCard
	for n, issued := range g.times {
		var pan string
		for {
			acct := accountNumber(slot)
			slot++
			pan = store.NewPAN(bin, func(int) string { return nineDigits(acct) })
			if !containsString(g.last4s, pan[12:]) {
				break
			}
		}
		last4 = pan[12:]
		g.last4s = append(g.last4s, last4)
		expM, expY = monthsAfter(issued, validity)
		var inactiveSince any
		if n+1 < len(g.times) {
			inactiveSince = g.times[n+1]
		}
		b.add(tCardNumbers, cardID, g.cardKey, binValues[bin], last4, store.HashPAN(g.key, pan), expM, expY, issued, inactiveSince)
	}
	lastIssue := g.times[len(g.times)-1]

	// Opening balance: what was loaded onto the card before its first use.
	opening := g.openingBalance(status)

	// Purchases and their follow-ups, walked in time order.
	bal := g.movements(cardID, status, created, end, followEnd, statusAt, opening, dailyCents)

	// A TOP_UP card spends from its own wallet.
	var walletID any
	if approval == approvalTopUp {
		walletID = g.cardWallet(name, status, created, opening, bal)
	}

	// Mobile-wallet tokens.
	if status != stInactive && g.permille(300) {
		n := 1
		if g.permille(220) {
			n = 2
		}
		for range n {
			g.tokenization(cardID, status, created, end)
		}
	}

	updated := max(created, lastIssue, statusAt)
	typ := vVirtual
	if physical {
		typ = vPhysical
	}
	b.add(tCards, cardID, name, norm, email, loc.dial, phone, phoneNorm,
		typ, binValues[bin], last4, expM, expY, cardStatuses[status].v, approvalMethods[approval].v,
		daily, weekly, monthly, threeDS,
		bal, walletID, int64(1+reissues), created, updated)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func nineDigits(n uint64) string {
	var b [9]byte
	for i := 8; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

func sortInt64(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var initials = func() []token {
	out := make([]token, 26)
	for i := range out {
		out[i] = newToken(string(rune('A'+i)) + ".")
	}
	return out
}()

// holderName returns the cardholder's name as printed, its normal form, and
// the tokens that make the e-mail address.
func (g *gen) holderName(loc *vlocale, physical bool) (name, norm string, first, last *token) {
	r := g.r
	female := r.IntN(2) == 0
	var parts [4]*token
	n := 0
	given, lasts, middles := loc.male, loc.lastM, loc.middleM
	if female {
		given, lasts, middles = loc.female, loc.lastF, loc.middleF
	}
	first = &given[r.IntN(len(given))]
	last = &lasts[r.IntN(len(lasts))]
	if loc.familyFirst {
		parts[0], parts[1], parts[2] = last, &middles[r.IntN(len(middles))], first
		n = 3
	} else {
		parts[0] = first
		n = 1
		if loc.country == "US" && g.permille(150) {
			parts[n] = &initials[r.IntN(len(initials))]
			n++
		}
		parts[n] = last
		n++
		if loc.twoSurnames && g.permille(700) {
			second := &lasts[r.IntN(len(lasts))]
			if second != last {
				parts[n] = second
				n++
			}
		}
	}
	// Physical cards carry the embossed (ASCII upper-case) name; a few
	// virtual ones were typed in capitals.
	style := 0
	switch {
	case physical:
		style = 2
	case g.permille(20):
		style = 1
	}
	buf := g.buf[:0]
	for i := range n {
		if i > 0 {
			buf = append(buf, ' ')
		}
		switch style {
		case 0:
			buf = append(buf, parts[i].s...)
		case 1:
			buf = append(buf, parts[i].upper...)
		default:
			buf = append(buf, parts[i].emb...)
		}
	}
	name = string(buf)
	buf = buf[:0]
	for i := range n {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, parts[i].norm...)
	}
	norm = string(buf)
	g.buf = buf
	return name, norm, first, last
}

// email builds an address from the ASCII-folded name and a number.
func (g *gen) email(loc *vlocale, first, last *token) string {
	r := g.r
	f, l := first.mail, last.mail
	if f == "" {
		f = "user"
	}
	if l == "" {
		l = "card"
	}
	buf := g.buf[:0]
	switch n := r.IntN(100); {
	case n < 30: // jose.garcia87
		buf = append(append(append(buf, f...), '.'), l...)
		buf = appendPadded(buf, r.IntN(100), 2)
	case n < 45: // josegarcia1204
		buf = append(append(buf, f...), l...)
		buf = strconv.AppendInt(buf, int64(r.IntN(10000)), 10)
	case n < 55: // jose_garcia
		buf = append(append(append(buf, f...), '_'), l...)
		if r.IntN(2) == 0 {
			buf = strconv.AppendInt(buf, int64(r.IntN(1000)), 10)
		}
	case n < 70: // jgarcia42
		buf = append(append(buf, f[0]), l...)
		buf = strconv.AppendInt(buf, int64(r.IntN(1000)), 10)
	case n < 85: // jose1987
		buf = append(buf, f...)
		buf = strconv.AppendInt(buf, int64(1955+r.IntN(52)), 10)
	case n < 95: // garcia.jose3
		buf = append(append(append(buf, l...), '.'), f...)
		buf = strconv.AppendInt(buf, int64(r.IntN(100)), 10)
	default: // jose.garcia
		buf = append(append(append(buf, f...), '.'), l...)
	}
	buf = append(buf, '@')
	if g.permille(800) {
		buf = append(buf, loc.domains[g.pick(loc.domainPick)]...)
	} else {
		buf = append(buf, globalDomains[g.pick(vocab.globalDomain)].s...)
	}
	s := string(buf)
	g.buf = buf
	return s
}

func appendPadded(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// phone returns a national number for loc (digits only) and the normalised
// phone: dial code digits then the number.
func (g *gen) phone(loc *vlocale) (number, norm string) {
	r := g.r
	buf := append(g.buf[:0], loc.dialDigits...)
	buf = append(buf, loc.phonePrefixes[r.IntN(len(loc.phonePrefixes))]...)
	for i := range loc.phoneDigits {
		d := r.IntN(10)
		if i == 0 && d < 2 {
			d += 2 // no exchange or subscriber number starts with 0 or 1
		}
		buf = append(buf, byte('0'+d))
	}
	norm = string(buf)
	g.buf = buf
	return norm[len(loc.dialDigits):], norm
}

// openingBalance is what was loaded onto a card before its first use,
// in whole dollars.
func (g *gen) openingBalance(status cardStatus) int64 {
	if status == stInactive && g.permille(600) {
		return 0
	}
	var lo, hi int64
	switch n := g.r.IntN(100); {
	case n < 15:
		lo, hi = 10, 50
	case n < 45:
		lo, hi = 50, 200
	case n < 80:
		lo, hi = 200, 1000
	case n < 97:
		lo, hi = 1000, 5000
	default:
		lo, hi = 5000, 20000
	}
	dollars := g.between(lo, hi)
	if dollars >= 100 {
		dollars -= dollars % 5
	}
	return dollars * 100
}

// movements generates the card's purchases, schedules their clearings,
// reversals and refunds, then walks every event in time order keeping the
// available balance: an authorization holds its amount (or is declined), a
// clearing settles it, a reversal releases it, a refund credits. It returns
// the final balance.
func (g *gen) movements(cardID any, status cardStatus, created, end, followEnd, statusAt, bal, dailyLimit int64) int64 {
	r := g.r
	g.purchases = g.purchases[:0]
	g.events = g.events[:0]
	k := 0
	if status != stInactive && end-created > 2*dayMs {
		k = purchasesPerCard[g.pick(purchasesPick)].v
	}
	g.times = g.times[:0]
	for range k {
		g.times = append(g.times, g.between(created+dayMs, end))
	}
	sortInt64(g.times)
	for _, t := range g.times {
		g.planPurchase(t, followEnd, nil)
	}
	// A card that was frozen, blocked or expired may see an attempt after.
	if statusAt > 0 && statusAt+hourMs < epochMs-hourMs && g.permille(300) {
		switch status {
		case stFrozen, stBlocked:
			g.planPurchase(g.between(statusAt+hourMs, epochMs-hourMs), followEnd, &declineRestricted)
		case stExpired:
			g.planPurchase(g.between(statusAt+hourMs, epochMs-hourMs), followEnd, &declineExpired)
		}
	}
	sortEvents(g.events)

	prev := int64(0)
	for j, ev := range g.events {
		t := max(ev.t, prev+1000)
		t -= t % 1000
		if t <= prev {
			t = prev + 1000
		}
		prev = t
		p := &g.purchases[ev.p]
		m := p.m
		orig := bal
		switch ev.kind {
		case evAuth:
			id := g.movementID(j, len(g.events))
			p.authID = id
			var reason *declineReason
			switch {
			case p.forced != nil:
				reason = p.forced
			case dailyLimit > 0 && p.bill > dailyLimit:
				reason = &declineLimit
			case g.permille(45):
				reason = &randomDeclines[g.pick(vocab.declinePick)]
			case p.debit() > bal && (bal < 500 || !g.permille(850)):
				reason = &declineInsufficient
			case p.debit() > bal:
				// Most people buy what they can afford: this purchase
				// was smaller.
				p.shrink(bal * int64(300+r.IntN(600)) / p.debit())
				if p.debit() > bal {
					reason = &declineInsufficient
				}
			}
			if reason != nil {
				p.declined = true
				g.b.add(tCardTransactions, p.authID, cardID, nil, t, vAuthorization, vFailed,
					p.bill, p.tx, m.txCurrency, p.rate, m.name, m.city, m.country, m.mcc,
					orig, orig, reason.code, reason.description, vInt0, vInt0)
				continue
			}
			bal -= p.debit()
			st := vSuccess
			if p.open && r.IntN(2) == 0 {
				st = vPending
			}
			g.b.add(tCardTransactions, p.authID, cardID, nil, t, vAuthorization, st,
				p.bill, p.tx, m.txCurrency, p.rate, m.name, m.city, m.country, m.mcc,
				orig, bal, vNoDecline, vNoDecline, p.feeFx, p.feeAtm)
		case evClear:
			if p.declined {
				continue
			}
			bal += p.debit() - p.clearDebit()
			g.b.add(tCardTransactions, g.movementID(j, len(g.events)), cardID, p.authID, t, vClearing, vSuccess,
				p.clearBill, p.clearTx, m.txCurrency, p.rate, m.name, m.city, m.country, m.mcc,
				orig, bal, vNoDecline, vNoDecline, p.clearFeeFx, p.feeAtm)
		case evReverse:
			if p.declined {
				continue
			}
			bal += p.debit()
			g.b.add(tCardTransactions, g.movementID(j, len(g.events)), cardID, p.authID, t, vReversal, vSuccess,
				p.bill, p.tx, m.txCurrency, p.rate, m.name, m.city, m.country, m.mcc,
				orig, bal, vNoDecline, vNoDecline, vInt0, vInt0)
		case evRefund:
			if p.declined {
				continue
			}
			bal += p.refundBill
			g.b.add(tCardTransactions, g.movementID(j, len(g.events)), cardID, p.authID, t, vRefund, vSuccess,
				p.refundBill, p.refundTx, m.txCurrency, p.rate, m.name, m.city, m.country, m.mcc,
				orig, bal, vNoDecline, vNoDecline, vInt0, vInt0)
		}
	}
	return bal
}

func sortEvents(s []event) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].t < s[j-1].t || s[j].t == s[j-1].t && s[j].kind < s[j-1].kind); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// planPurchase picks a merchant and amount for an authorization at t and
// schedules what follows it, dropping follow-ups after followEnd.
func (g *gen) planPurchase(t, followEnd int64, forced *declineReason) {
	r, v := g.r, vocab
	var m *vmerchant
	switch n := r.IntN(100); {
	case n < 8:
		m = &v.travel[r.IntN(len(v.travel))]
	case n < 50:
		m = &v.online[r.IntN(len(v.online))]
	default:
		m = g.localMerchant()
	}
	p := purchase{m: m, forced: forced}
	cur := m.cur
	unit := int64(100)
	var preAuth bool
	if m.min == m.max { // a fuel pump pre-authorises a fixed amount
		p.tx = m.min * unit
		preAuth = true
	} else {
		u := int64(r.IntN(1001))
		units := m.min + (m.max-m.min)*u*u/1_000_000
		p.tx = units * unit
		if !cur.zeroDecimal {
			p.tx += int64(r.IntN(100))
		}
	}
	p.rateV = rateScale
	p.rate = vRateOne
	if cur.code != "USD" {
		p.rateV = cur.usdPerUnit
		if !cur.pegged {
			p.rateV += p.rateV * int64(r.IntN(301)-150) / 10_000
		}
		p.rate = formatRate(p.rateV)
	}
	if m.mcc == mccATM {
		p.feeAtm = 250
	}
	p.clearTx = p.tx
	if preAuth {
		p.clearTx = max(100, p.tx*int64(20+r.IntN(76))/100)
		if cur.zeroDecimal {
			p.clearTx -= p.clearTx % 100
		}
	}

	i := int32(len(g.purchases))
	g.events = append(g.events, event{t: t, kind: evAuth, p: i})
	p.open = true
	if forced == nil {
		switch n := r.IntN(1000); {
		case n < 860:
			ct := t + g.between(2*hourMs, 72*hourMs)
			if ct < followEnd {
				p.open = false
				g.events = append(g.events, event{t: ct, kind: evClear, p: i})
				if g.permille(70) {
					rt := ct + g.between(dayMs, 30*dayMs)
					if rt < followEnd {
						p.refundPct = 100
						if r.IntN(10) < 4 {
							p.refundPct = int64(30 + r.IntN(61))
						}
						g.events = append(g.events, event{t: rt, kind: evRefund, p: i})
					}
				}
			}
		case n < 930:
			rt := t + g.between(5*minuteMs, 12*hourMs)
			if rt < followEnd {
				p.open = false
				g.events = append(g.events, event{t: rt, kind: evReverse, p: i})
			}
		}
	}
	p.price()
	g.purchases = append(g.purchases, p)
}

// localMerchant picks a merchant in the cardholder's country, or an online
// one where the vocabulary has none.
func (g *gen) localMerchant() *vmerchant {
	if g.loc != nil && len(g.loc.local) > 0 {
		return &g.loc.local[g.r.IntN(len(g.loc.local))]
	}
	return &vocab.online[g.r.IntN(len(vocab.online))]
}

// formatRate renders rate/rateScale as a decimal string without trailing
// zeros: 10850000000 → "1.085".
func formatRate(rate int64) string {
	ip, fp := rate/rateScale, rate%rateScale
	b := strconv.AppendInt(make([]byte, 0, 24), ip, 10)
	if fp != 0 {
		b = append(b, '.')
		var d [10]byte
		for i := 9; i >= 0; i-- {
			d[i] = byte('0' + fp%10)
			fp /= 10
		}
		n := 10
		for n > 0 && d[n-1] == '0' {
			n--
		}
		b = append(b, d[:n]...)
	}
	return string(b)
}

// cardWallet creates the CARD wallet of a TOP_UP card: the deposits that
// funded its opening balance (and the odd withdrawal or failed deposit), and
// a USDC balance equal to the card's final balance.
func (g *gen) cardWallet(holder string, status cardStatus, created, opening, final int64) any {
	r, b := g.r, g.b
	var id any = newUUID(r)
	addr := hexString(r, 40)
	var addrV any = addr
	enabled := vInt1
	if status == stDeleted {
		enabled = vInt0
	}
	b.add(tWallets, id, "Top-up · "+holder, g.clientID, addrV, vBlockchain, vCardKind, enabled, created)
	b.add(tWalletBalances, id, vUSDC, vUSDCName, vUSDCAddr, final)
	if opening == 0 {
		return id
	}
	var withdraw int64
	if g.permille(60) {
		withdraw = opening * int64(10+r.IntN(41)) / 100
	}
	total := opening + withdraw
	n := 1 + r.IntN(3)
	t := created + g.between(5*minuteMs, hourMs)
	for i := range n {
		net := total
		if i < n-1 {
			net = total * int64(20+r.IntN(40)) / 100
		}
		total -= net
		fee := depositFee(net)
		b.add(tWalletMovements, newUUID(r), id, vDeposit, hexString(r, 64), hexString(r, 40), addrV,
			net+fee, net, vUSDC, vSuccess, t)
		t += g.between(minuteMs, 3*hourMs)
	}
	if withdraw > 0 {
		fee := depositFee(withdraw)
		b.add(tWalletMovements, newUUID(r), id, vWithdraw, hexString(r, 64), addrV, hexString(r, 40),
			withdraw, withdraw-fee, vUSDC, vSuccess, t)
		t += g.between(minuteMs, hourMs)
	}
	if g.permille(80) {
		amt := int64(100 * (20 + r.IntN(500)))
		st := vFailed
		if r.IntN(2) == 0 {
			st = vPending
		}
		b.add(tWalletMovements, newUUID(r), id, vDeposit, hexString(r, 64), hexString(r, 40), addrV,
			amt, amt-depositFee(amt), vUSDC, st, t)
	}
	return id
}

// depositFee is the network fee kept from a wallet movement: 50 cents plus
// 0.1 %.
func depositFee(amount int64) int64 { return min(amount/2, 50+amount/1000) }

func (g *gen) tokenization(cardID any, status cardStatus, created, end int64) {
	r := g.r
	provider := g.pick(vocab.providerPick)
	name := walletProviderNames[provider]
	devs := vocab.devices[walletProviders[provider].s]
	st := vTokActive
	switch {
	case status == stDeleted:
		st = vTokDeleted
	case status == stFrozen || status == stBlocked || status == stExpired:
		st = vTokSuspended
	case g.permille(70):
		st = vTokDeleted
	}
	t := g.between(created+hourMs, end)
	g.b.add(tCardTokenizations, newUUID(r), cardID, name, devs[r.IntN(len(devs))], st, t)
}

// globals generates the wallets that exist once per database: the HOLDING
// wallet and a few dozen VIRTUAL wallets, each with movements and balances
// that add up.
func (g *gen) globals() {
	g.reseed(streamGlobal, 1)
	r := g.r
	created := epochMs - 800*dayMs
	var hid any = newUUID(r)
	haddr := hexString(r, 40)
	g.b.add(tWallets, hid, vHoldingAlias, g.clientID, haddr, vBlockchain, vHoldingKind, vInt1, created)
	g.walletHistory(hid, haddr, created, 60, 15, 500_000, 25_000_000)
	for _, alias := range virtualWalletAliases {
		var id any = newUUID(r)
		addr := hexString(r, 40)
		enabled := vInt1
		if g.permille(100) {
			enabled = vInt0
		}
		wc := epochMs - g.between(30*dayMs, 700*dayMs)
		g.b.add(tWallets, id, alias, newUUID(r), addr, vBlockchain, vVirtualKind, enabled, wc)
		g.walletHistory(id, addr, wc, 2+r.IntN(10), r.IntN(5), 10_000, 2_000_000)
	}
}

// walletHistory writes deposits and withdrawals in USDC and USDT and the
// balances they leave; amounts are drawn in [lo, hi) cents.
func (g *gen) walletHistory(id any, addr string, created int64, deposits, withdrawals int, lo, hi int64) {
	r, b := g.r, g.b
	var addrV any = addr
	bal := [2]int64{}
	syms := [2]any{vUSDC, vUSDT}
	t := created + hourMs
	step := (epochMs - created - dayMs) / int64(deposits+withdrawals+1)
	for i := range deposits + withdrawals {
		t += g.between(step/2, step*3/2)
		tok := 0
		if g.permille(250) {
			tok = 1
		}
		st, counts := vSuccess, true
		switch n := r.IntN(100); {
		case n < 4:
			st, counts = vFailed, false
		case n < 8 && i >= deposits+withdrawals-3:
			st, counts = vPending, false
		}
		if i%4 == 3 && withdrawals > 0 && bal[tok] > 2*lo { // a withdrawal
			withdrawals--
			amt := g.between(lo, min(hi, bal[tok]))
			if counts {
				bal[tok] -= amt
			}
			b.add(tWalletMovements, newUUID(r), id, vWithdraw, hexString(r, 64), addrV, hexString(r, 40),
				amt, amt-depositFee(amt), syms[tok], st, t)
			continue
		}
		net := g.between(lo, hi)
		if counts {
			bal[tok] += net
		}
		b.add(tWalletMovements, newUUID(r), id, vDeposit, hexString(r, 64), hexString(r, 40), addrV,
			net+depositFee(net), net, syms[tok], st, t)
	}
	b.add(tWalletBalances, id, vUSDC, vUSDCName, vUSDCAddr, bal[0])
	b.add(tWalletBalances, id, vUSDT, vUSDTName, vUSDTAddr, bal[1])
}
