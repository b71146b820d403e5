package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func seedStore(t *testing.T, cards int, seed uint64) (*store.Store, Summary) {
	t.Helper()
	st := openStore(t)
	sum, err := Run(context.Background(), st, Options{Cards: cards, Seed: seed})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return st, sum
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// TestRunInvariants seeds 2,000 cards and checks what the rest of cardops
// relies on.
func TestRunInvariants(t *testing.T) {
	const n = 2000
	var calls []int
	st := openStore(t)
	sum, err := Run(context.Background(), st, Options{Cards: n, Progress: func(done, total int) {
		if total != n {
			t.Errorf("Progress total = %d, want %d", total, n)
		}
		calls = append(calls, done)
	}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	db := st.Reader()

	t.Run("summary matches the tables", func(t *testing.T) {
		for _, c := range []struct {
			table string
			got   int
		}{
			{"cards", sum.Cards}, {"wallets", sum.Wallets}, {"card_transactions", sum.Transactions},
			{"wallet_movements", sum.WalletMovements}, {"card_numbers", sum.Numbers}, {"card_tokenizations", sum.Tokenizations},
		} {
			if want := queryInt(t, db, "SELECT count(*) FROM "+c.table); c.got != want {
				t.Errorf("Summary %s = %d, want %d", c.table, c.got, want)
			}
		}
		if sum.Cards != n {
			t.Errorf("Summary.Cards = %d, want %d", sum.Cards, n)
		}
		if sum.Elapsed <= 0 {
			t.Errorf("Summary.Elapsed = %v, want > 0", sum.Elapsed)
		}
		perCard := float64(sum.Transactions) / n
		if perCard < 2.5 || perCard > 3.5 {
			t.Errorf("%.2f movements per card, want about 3", perCard)
		}
	})

	t.Run("progress", func(t *testing.T) {
		if len(calls) == 0 || calls[len(calls)-1] != n {
			t.Fatalf("Progress calls = %v, want the last to be %d", calls, n)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i] <= calls[i-1] {
				t.Errorf("Progress went from %d to %d", calls[i-1], calls[i])
			}
		}
	})

	t.Run("every enumeration value occurs", func(t *testing.T) {
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"SELECT DISTINCT status FROM cards ORDER BY 1", []string{"ACTIVE", "BLOCKED", "DELETED", "EXPIRED", "FROZEN", "INACTIVE"}},
			{"SELECT DISTINCT approval_method FROM cards ORDER BY 1", []string{"DEFI", "NONE", "TOP_UP", "WEBHOOK"}},
			{"SELECT DISTINCT type FROM cards ORDER BY 1", []string{"PHYSICAL", "VIRTUAL"}},
			{"SELECT DISTINCT forwarded_3ds_type FROM cards ORDER BY 1", []string{"AUTOMATIC", "DISABLED", "FORWARDED"}},
			{"SELECT DISTINCT operation FROM card_transactions ORDER BY 1", []string{"AUTHORIZATION", "CLEARING", "REFUND", "REVERSAL"}},
			{"SELECT DISTINCT status FROM card_transactions WHERE operation = 'AUTHORIZATION' ORDER BY 1", []string{"FAILED", "PENDING", "SUCCESS"}},
			{"SELECT DISTINCT wallet_provider FROM card_tokenizations ORDER BY 1", []string{"APPLE_PAY", "GOOGLE_PAY", "SAMSUNG_PAY"}},
			{"SELECT DISTINCT kind FROM wallets ORDER BY 1", []string{"CARD", "HOLDING", "VIRTUAL"}},
			{"SELECT DISTINCT kind FROM wallet_movements ORDER BY 1", []string{"DEPOSIT", "WITHDRAW"}},
			{"SELECT DISTINCT status FROM wallet_movements ORDER BY 1", []string{"FAILED", "PENDING", "SUCCESS"}},
		} {
			if got := queryStrings(t, db, c.q); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s = %v, want %v", c.q, got, c.want)
			}
		}
		for _, code := range []string{"51", "05"} {
			if queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE status = 'FAILED' AND decline_code = ? AND decline_description <> ''", code) == 0 {
				t.Errorf("no authorization declined with %s", code)
			}
		}
		if queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE status = 'FAILED' AND decline_code = ''") != 0 {
			t.Error("a FAILED movement has no decline code")
		}
		if queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE status <> 'FAILED' AND decline_code <> ''") != 0 {
			t.Error("a movement that did not fail has a decline code")
		}
		for _, col := range []string{"daily_limit_cents", "weekly_limit_cents", "monthly_limit_cents"} {
			set := queryInt(t, db, "SELECT count(*) FROM cards WHERE "+col+" IS NOT NULL")
			if set == 0 || set == n {
				t.Errorf("%s is set on %d of %d cards, want some", col, set, n)
			}
		}
		if got := queryInt(t, db, "SELECT count(*) FROM cards WHERE daily_limit_cents > weekly_limit_cents OR weekly_limit_cents > monthly_limit_cents"); got != 0 {
			t.Errorf("%d cards have a daily limit above the weekly or a weekly above the monthly", got)
		}
		if got := queryInt(t, db, "SELECT count(*) FROM cards WHERE bin NOT LIKE '4_____' OR length(bin) <> 6"); got != 0 {
			t.Errorf("%d cards are not on a 6-digit Visa BIN", got)
		}
	})

	t.Run("foreign currency", func(t *testing.T) {
		currencies := queryStrings(t, db, "SELECT DISTINCT transaction_currency FROM card_transactions WHERE transaction_currency <> 'USD'")
		if len(currencies) < 8 {
			t.Errorf("foreign currencies %v, want many", currencies)
		}
		if got := queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE transaction_currency <> 'USD' AND status <> 'FAILED' AND operation IN ('AUTHORIZATION', 'CLEARING') AND fee_fx_cents = 0"); got != 0 {
			t.Errorf("%d foreign-currency charges carry no FX fee", got)
		}
		if got := queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE transaction_currency = 'USD' AND (exchange_rate <> '1' OR fee_fx_cents <> 0 OR bill_amount_cents <> transaction_amount_cents)"); got != 0 {
			t.Errorf("%d USD movements have a rate, an FX fee or two amounts", got)
		}
		bad := 0
		for _, r := range queryStrings(t, db, "SELECT DISTINCT exchange_rate FROM card_transactions") {
			if !regexp.MustCompile(`^[0-9]+(\.[0-9]*[1-9])?$`).MatchString(r) {
				bad++
				t.Errorf("exchange_rate %q is not a plain decimal", r)
			}
			if bad > 5 {
				break
			}
		}
		if got := queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE bill_amount_cents <= 0 OR transaction_amount_cents <= 0 OR bill_currency <> 'USD'"); got != 0 {
			t.Errorf("%d movements with a non-positive amount or a bill not in USD", got)
		}
		if got := queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE merchant_name = '' OR merchant_city = '' OR length(merchant_country) <> 2 OR length(merchant_mcc) <> 4"); got != 0 {
			t.Errorf("%d movements without a full merchant", got)
		}
	})

	t.Run("parents", func(t *testing.T) {
		if got := queryInt(t, db, "SELECT count(*) FROM card_transactions WHERE (operation = 'AUTHORIZATION') = (parent_id IS NOT NULL)"); got != 0 {
			t.Errorf("%d movements: authorization with a parent or follow-up without one", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_transactions c JOIN card_transactions p ON p.id = c.parent_id
			WHERE p.operation <> 'AUTHORIZATION' OR p.status <> 'SUCCESS' AND p.status <> 'PENDING' OR p.card_id <> c.card_id OR p.datetime >= c.datetime`); got != 0 {
			t.Errorf("%d follow-ups whose parent is not an earlier approved authorization of the same card", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_transactions r WHERE r.operation = 'REFUND'
			AND NOT EXISTS (SELECT 1 FROM card_transactions c WHERE c.parent_id = r.parent_id AND c.operation = 'CLEARING')`); got != 0 {
			t.Errorf("%d refunds of an authorization that was never cleared", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_transactions r WHERE r.operation = 'REVERSAL'
			AND EXISTS (SELECT 1 FROM card_transactions c WHERE c.parent_id = r.parent_id AND c.operation = 'CLEARING')`); got != 0 {
			t.Errorf("%d reversals of a cleared authorization", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM (SELECT parent_id FROM card_transactions WHERE operation IN ('CLEARING', 'REVERSAL') GROUP BY parent_id HAVING count(*) > 1)`); got != 0 {
			t.Errorf("%d authorizations cleared or reversed twice", got)
		}
	})

	t.Run("balances", func(t *testing.T) {
		rows, err := db.Query(`SELECT card_id, original_balance_cents, new_balance_cents, datetime FROM card_transactions ORDER BY card_id, datetime, rowid`)
		if err != nil {
			t.Fatal(err)
		}
		type last struct {
			bal, at int64
		}
		final := map[string]last{}
		bad := 0
		for rows.Next() {
			var card string
			var orig, nw, at int64
			if err := rows.Scan(&card, &orig, &nw, &at); err != nil {
				t.Fatal(err)
			}
			if p, ok := final[card]; ok {
				if orig != p.bal || at <= p.at {
					bad++
				}
			}
			if orig < 0 || nw < 0 {
				bad++
			}
			final[card] = last{nw, at}
		}
		rows.Close()
		if bad != 0 {
			t.Errorf("%d movements break their card's balance chain, go negative or share a time", bad)
		}
		mismatch := 0
		cards, err := db.Query(`SELECT id, balance_cents FROM cards`)
		if err != nil {
			t.Fatal(err)
		}
		for cards.Next() {
			var id string
			var bal int64
			cards.Scan(&id, &bal)
			if l, ok := final[id]; ok && l.bal != bal || bal < 0 {
				mismatch++
			}
		}
		cards.Close()
		if mismatch != 0 {
			t.Errorf("%d cards whose balance is not their last movement's new balance", mismatch)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_transactions WHERE
			operation = 'AUTHORIZATION' AND status = 'FAILED' AND new_balance_cents <> original_balance_cents
			OR operation = 'AUTHORIZATION' AND status <> 'FAILED' AND new_balance_cents <> original_balance_cents - bill_amount_cents - fee_fx_cents - fee_atm_cents
			OR operation IN ('REFUND', 'REVERSAL') AND new_balance_cents <= original_balance_cents`); got != 0 {
			t.Errorf("%d movements move the balance the wrong way", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_transactions c JOIN card_transactions a ON a.id = c.parent_id
			WHERE c.operation = 'CLEARING' AND c.new_balance_cents - c.original_balance_cents
			  <> (a.bill_amount_cents + a.fee_fx_cents + a.fee_atm_cents) - (c.bill_amount_cents + c.fee_fx_cents + c.fee_atm_cents)`); got != 0 {
			t.Errorf("%d clearings do not release their hold and charge their amount", got)
		}
	})

	t.Run("numbers history", func(t *testing.T) {
		if got := queryInt(t, db, `SELECT count(*) FROM cards c WHERE 1 <> (SELECT count(*) FROM card_numbers n WHERE n.card_id = c.id AND n.inactive_since IS NULL)`); got != 0 {
			t.Errorf("%d cards without exactly one current number", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM cards c JOIN card_numbers n ON n.card_id = c.id AND n.inactive_since IS NULL
			WHERE n.last4 <> c.last4 OR n.first6 <> c.bin OR n.exp_month <> c.exp_month OR n.exp_year <> c.exp_year`); got != 0 {
			t.Errorf("%d cards whose current number does not match the card", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM cards c WHERE c.version <> (SELECT count(*) FROM card_numbers n WHERE n.card_id = c.id)`); got != 0 {
			t.Errorf("%d cards whose version is not 1 + reissues", got)
		}
		reissued := queryInt(t, db, `SELECT count(DISTINCT card_id) FROM card_numbers WHERE inactive_since IS NOT NULL`)
		if reissued < n*5/100 || reissued > n*15/100 {
			t.Errorf("%d of %d cards have former numbers, want about 10%%", reissued, n)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_numbers o JOIN card_numbers c ON c.card_id = o.card_id AND c.id <> o.id WHERE o.last4 = c.last4`); got != 0 {
			t.Errorf("%d former numbers share their card's other last 4", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_numbers o JOIN card_numbers nx ON nx.card_id = o.card_id AND nx.id > o.id
			WHERE o.inactive_since IS NULL OR o.inactive_since > nx.active_from OR o.active_from >= o.inactive_since`); got != 0 {
			t.Errorf("%d numbers out of order in their card's history", got)
		}
		// Support finds a card by a former last 4, marked as such, through
		// the search the console runs.
		wantCardKeys(t, st)
		old := queryStrings(t, db, `SELECT n.card_id || ' ' || n.last4 FROM card_numbers n JOIN cards c ON c.id = n.card_id
			WHERE n.inactive_since IS NOT NULL AND c.last4 <> n.last4 LIMIT 5`)
		if len(old) == 0 {
			t.Fatal("no card has a former number")
		}
		for _, o := range old {
			id, last4, _ := strings.Cut(o, " ")
			res, err := st.NewCardSearch(store.ParseCardQuery(last4)).WithLimit(200).Page(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(res.Hits, func(h store.CardHit) bool { return h.ID == id && h.FormerLast4 == last4 }) {
				t.Errorf("a search for %s does not find card %s by its former number", last4, id)
			}
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_numbers`) - queryInt(t, db, `SELECT count(DISTINCT pan_hash) FROM card_numbers`); got != 0 {
			t.Errorf("%d duplicate PAN hashes", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_numbers WHERE length(pan_hash) <> 32 OR length(last4) <> 4 OR length(first6) <> 6`); got != 0 {
			t.Errorf("%d numbers with a malformed hash, first 6 or last 4", got)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		ey, em := Epoch.Year(), int(Epoch.Month())
		if got := queryInt(t, db, `SELECT count(*) FROM cards WHERE status <> 'EXPIRED' AND (exp_year * 12 + exp_month) < ?`, ey*12+em); got != 0 {
			t.Errorf("%d cards not EXPIRED whose expiry is past", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM cards WHERE status = 'EXPIRED' AND (exp_year * 12 + exp_month) >= ?`, ey*12+em); got != 0 {
			t.Errorf("%d EXPIRED cards whose expiry is not past", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM cards WHERE exp_month NOT BETWEEN 1 AND 12`); got != 0 {
			t.Errorf("%d cards with an impossible expiry month", got)
		}
		epoch := Epoch.UnixMilli()
		if got := queryInt(t, db, `SELECT (SELECT count(*) FROM cards WHERE created_at >= ? OR updated_at > ? OR updated_at < created_at)
			+ (SELECT count(*) FROM card_transactions WHERE datetime >= ?)`, epoch, epoch, epoch); got != 0 {
			t.Errorf("%d timestamps at or after the epoch, or updated before created", got)
		}
	})

	t.Run("holders", func(t *testing.T) {
		rows, err := db.Query(`SELECT card_holder_name, name_norm, email, phone_dial_code, phone_number, phone_norm FROM cards`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		emailRe := regexp.MustCompile(`^[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}$`)
		dials := map[string]bool{}
		accented, bad := 0, 0
		for rows.Next() {
			var name, norm, email, dial, number, phoneNorm string
			rows.Scan(&name, &norm, &email, &dial, &number, &phoneNorm)
			if norm != store.NormalizeName(name) {
				bad++
				t.Errorf("name_norm %q, want NormalizeName(%q) = %q", norm, name, store.NormalizeName(name))
			}
			if phoneNorm != store.NormalizePhone(dial+number) || !strings.HasPrefix(dial, "+") || len(number) < 7 {
				bad++
				t.Errorf("phone %q %q normalised to %q", dial, number, phoneNorm)
			}
			if !emailRe.MatchString(email) {
				bad++
				t.Errorf("email %q", email)
			}
			if name != norm && strings.ToLower(name) != norm {
				accented++
			}
			dials[dial] = true
			if bad > 10 {
				t.FailNow()
			}
		}
		if accented < n/10 {
			t.Errorf("%d of %d names carry accents or special letters, want many", accented, n)
		}
		for _, d := range []string{"+1", "+44", "+34", "+49", "+52", "+54", "+55", "+33", "+48", "+90", "+81", "+91", "+234"} {
			if !dials[d] {
				t.Errorf("no phone with dial code %s", d)
			}
		}
	})

	t.Run("wallets", func(t *testing.T) {
		if got := queryInt(t, db, `SELECT count(*) FROM wallets WHERE kind = 'HOLDING'`); got != 1 {
			t.Errorf("%d HOLDING wallets, want 1", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM wallets WHERE kind = 'VIRTUAL'`); got != len(virtualWalletAliases) {
			t.Errorf("%d VIRTUAL wallets, want %d", got, len(virtualWalletAliases))
		}
		if got := queryInt(t, db, `SELECT count(*) FROM cards c LEFT JOIN wallets w ON w.id = c.wallet_id
			WHERE (c.approval_method = 'TOP_UP') <> (w.kind IS 'CARD')`); got != 0 {
			t.Errorf("%d cards: TOP_UP without a CARD wallet, or a wallet on another card", got)
		}
		if got, want := queryInt(t, db, `SELECT count(*) FROM wallets WHERE kind = 'CARD'`), queryInt(t, db, `SELECT count(*) FROM cards WHERE approval_method = 'TOP_UP'`); got != want {
			t.Errorf("%d CARD wallets for %d TOP_UP cards", got, want)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM cards c JOIN wallet_balances b ON b.wallet_id = c.wallet_id AND b.symbol = 'USDC' WHERE b.balance_cents <> c.balance_cents`); got != 0 {
			t.Errorf("%d CARD wallets whose USDC balance is not their card's", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM wallet_balances b JOIN wallets w ON w.id = b.wallet_id WHERE w.kind <> 'CARD' AND b.balance_cents <>
			coalesce((SELECT sum(CASE m.kind WHEN 'DEPOSIT' THEN m.net_amount_cents ELSE -m.amount_cents END) FROM wallet_movements m
			          WHERE m.wallet_id = b.wallet_id AND m.token_symbol = b.symbol AND m.status = 'SUCCESS'), 0)`); got != 0 {
			t.Errorf("%d HOLDING/VIRTUAL balances that are not their movements' sum", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM wallets w WHERE w.kind = 'CARD' AND EXISTS (SELECT 1 FROM wallet_movements m WHERE m.wallet_id = w.id) AND
			(SELECT c.balance_cents FROM cards c WHERE c.wallet_id = w.id) > 0 AND
			(SELECT sum(CASE m.kind WHEN 'DEPOSIT' THEN m.net_amount_cents ELSE -m.amount_cents END) FROM wallet_movements m WHERE m.wallet_id = w.id AND m.status = 'SUCCESS') <= 0`); got != 0 {
			t.Errorf("%d funded CARD wallets whose deposits add up to nothing", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM wallet_movements WHERE net_amount_cents >= amount_cents OR net_amount_cents <= 0
			OR tx_hash NOT LIKE '0x%' OR length(tx_hash) <> 66 OR length(from_address) <> 42 OR length(to_address) <> 42`); got != 0 {
			t.Errorf("%d wallet movements with a bad amount, hash or address", got)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM wallet_balances WHERE token_address NOT LIKE '0x%' OR balance_cents < 0`); got != 0 {
			t.Errorf("%d bad wallet balances", got)
		}
	})

	t.Run("tokenizations", func(t *testing.T) {
		with := queryInt(t, db, `SELECT count(DISTINCT card_id) FROM card_tokenizations`)
		if with < n*20/100 || with > n*40/100 {
			t.Errorf("%d of %d cards tokenized, want about 30%%", with, n)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM card_tokenizations t JOIN cards c ON c.id = t.card_id WHERE c.status = 'DELETED' AND t.status <> 'DELETED' OR t.created_at < c.created_at OR t.device_name = ''`); got != 0 {
			t.Errorf("%d tokenizations alive on a deleted card, older than it, or without a device", got)
		}
	})

	t.Run("integrity", func(t *testing.T) {
		if got := queryStrings(t, db, `PRAGMA integrity_check`); len(got) != 1 || got[0] != "ok" {
			t.Errorf("integrity_check = %v", got)
		}
		rows, err := db.Query(`PRAGMA foreign_key_check`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if rows.Next() {
			t.Error("foreign_key_check reports a dangling reference")
		}
	})

	t.Run("no full card number stored", func(t *testing.T) {
		pan := regexp.MustCompile(`[0-9]{13,19}`)
		for _, q := range []string{
			`SELECT id || '|' || card_holder_name || '|' || email || '|' || phone_number || '|' || last4 FROM cards`,
			`SELECT first6 || last4 FROM card_numbers`,
			`SELECT id || '|' || merchant_name || '|' || exchange_rate FROM card_transactions`,
		} {
			for _, s := range queryStrings(t, db, q) {
				if m := pan.FindString(s); m != "" && len(m) >= 13 && store.LuhnValid(m) && strings.HasPrefix(m, "4") {
					t.Fatalf("%s: a value holds what looks like a card number", q)
				}
			}
		}
	})
}

// dump digests everything the seed wrote except pan_hash, which is keyed
// by a per-database secret.
func dump(t *testing.T, db *sql.DB) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT * FROM cards ORDER BY rowid`,
		`SELECT id, card_id, first6, last4, exp_month, exp_year, active_from, inactive_since FROM card_numbers ORDER BY id`,
		`SELECT * FROM card_transactions ORDER BY rowid`,
		`SELECT * FROM card_tokenizations ORDER BY rowid`,
		`SELECT * FROM wallets ORDER BY rowid`,
		`SELECT * FROM wallet_balances ORDER BY rowid`,
		`SELECT * FROM wallet_movements ORDER BY rowid`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			fmt.Fprintln(h, vals...)
		}
		rows.Close()
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func TestRunDeterministic(t *testing.T) {
	a, _ := seedStore(t, 600, 7)
	b, _ := seedStore(t, 600, 7)
	c, _ := seedStore(t, 600, 8)
	q := `SELECT id || ' ' || card_holder_name || ' ' || last4 FROM cards ORDER BY rowid`
	ca, cb, cc := queryStrings(t, a.Reader(), q), queryStrings(t, b.Reader(), q), queryStrings(t, c.Reader(), q)
	if strings.Join(ca, "\n") != strings.Join(cb, "\n") {
		t.Fatal("two databases seeded with the same seed differ in their cards")
	}
	if dump(t, a.Reader()) != dump(t, b.Reader()) {
		t.Error("two databases seeded with the same seed differ in their rows")
	}
	if ca[0] == cc[0] || dump(t, a.Reader()) == dump(t, c.Reader()) {
		t.Error("seeds 7 and 8 produced the same data")
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, id := range queryStrings(t, a.Reader(), `SELECT id FROM cards UNION ALL SELECT id FROM card_transactions UNION ALL SELECT id FROM wallets`) {
		if !uuid.MatchString(id) {
			t.Fatalf("id %q is not a version 4 UUID", id)
		}
	}
}

// TestRunContinues: running again adds cards after the existing ones; two
// runs give the cards one run of the same total gives.
func TestRunContinues(t *testing.T) {
	one, _ := seedStore(t, 500, 3)
	st, _ := seedStore(t, 300, 3)
	sum, err := Run(context.Background(), st, Options{Cards: 200, Seed: 3})
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if sum.Cards != 200 || sum.Wallets == 0 && queryInt(t, st.Reader(), `SELECT count(*) FROM cards WHERE approval_method = 'TOP_UP' AND rowid > 300`) > 0 {
		t.Errorf("second run summary %+v", sum)
	}
	db := st.Reader()
	if got := queryInt(t, db, `SELECT count(*) FROM cards`); got != 500 {
		t.Fatalf("%d cards after 300 + 200", got)
	}
	if got := queryInt(t, db, `SELECT count(*) FROM wallets WHERE kind IN ('HOLDING', 'VIRTUAL')`); got != 1+len(virtualWalletAliases) {
		t.Errorf("%d HOLDING and VIRTUAL wallets after two runs, want %d", got, 1+len(virtualWalletAliases))
	}
	// Each run stores its cards in the order of their ids (cardOrder), so
	// compare in that order.
	q := `SELECT id || ' ' || card_holder_name || ' ' || last4 || ' ' || balance_cents FROM cards ORDER BY id`
	if strings.Join(queryStrings(t, db, q), "\n") != strings.Join(queryStrings(t, one.Reader(), q), "\n") {
		t.Error("300 + 200 cards differ from 500 cards seeded at once")
	}
	nq := `SELECT card_id || ' ' || last4 || ' ' || active_from FROM card_numbers ORDER BY card_id, id`
	if strings.Join(queryStrings(t, db, nq), "\n") != strings.Join(queryStrings(t, one.Reader(), nq), "\n") {
		t.Error("300 + 200 cards' numbers differ from 500 cards' at once")
	}
	if got := queryInt(t, db, `SELECT count(*) FROM card_numbers`) - queryInt(t, db, `SELECT count(DISTINCT pan_hash) FROM card_numbers`); got != 0 {
		t.Errorf("%d duplicate PAN hashes after two runs", got)
	}
	if got := queryStrings(t, db, `PRAGMA integrity_check`); len(got) != 1 || got[0] != "ok" {
		t.Errorf("integrity_check = %v", got)
	}
	wantCardKeys(t, st)
}

// TestRunRollbackJournal runs the copy the way a large first run does and
// checks the database is back in WAL mode with nothing left behind.
func TestRunRollbackJournal(t *testing.T) {
	old := rollbackJournalAt
	rollbackJournalAt = 1
	t.Cleanup(func() { rollbackJournalAt = old })
	var used bool
	oldTrace := tracef
	tracef = func(format string, args ...any) {
		if strings.HasPrefix(format, "publishing") && args[0] == true {
			used = true
		}
	}
	t.Cleanup(func() { tracef = oldTrace })
	st := openStore(t)
	// An idle connection in the read pool must not keep the copy in WAL
	// mode.
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), st, Options{Cards: 300, Seed: 1}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !used {
		t.Error("the copy did not use a rollback journal")
	}
	if got := queryStrings(t, st.Writer(), `PRAGMA journal_mode`); len(got) != 1 || got[0] != "wal" {
		t.Errorf("journal_mode = %v after the run, want wal", got)
	}
	for p, want := range map[string]int{"foreign_keys": 1, "synchronous": 2, "busy_timeout": 10000, "cache_size": -2000} {
		if got := queryInt(t, st.Writer(), "PRAGMA "+p); got != want {
			t.Errorf("PRAGMA %s = %d after the run, want %d as before", p, got, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(st.Path()))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".seed-") {
			t.Errorf("staging file %s left behind", e.Name())
		}
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM cards`); got != 300 {
		t.Errorf("%d cards, want 300", got)
	}
}

// TestRunRefusesCardsAddedMeanwhile adds a card while the seed stages
// its rows: that card takes the rowid the seed's numbers hold for its own
// first card (card_key), so the run must stop and keep nothing of its own.
func TestRunRefusesCardsAddedMeanwhile(t *testing.T) {
	st := openStore(t)
	var added string
	oldTrace := tracef
	tracef = func(format string, args ...any) { // "staged" is reported by Run's goroutine
		if format != "staged" {
			return
		}
		id, err := storetest.Insert(context.Background(), st, storetest.Card{Holder: "Added Meanwhile"})
		if err != nil {
			t.Errorf("add a card during the seed: %v", err)
		}
		added = id
	}
	t.Cleanup(func() { tracef = oldTrace })
	_, err := Run(context.Background(), st, Options{Cards: 300, Seed: 1})
	tracef = oldTrace
	if added == "" {
		t.Fatal("no card was added during the seed")
	}
	if err == nil || !strings.Contains(err.Error(), "cards were added while seeding") {
		t.Fatalf("Run with a card added meanwhile: err = %v", err)
	}
	if got := queryStrings(t, st.Reader(), `SELECT id FROM cards`); len(got) != 1 || got[0] != added {
		t.Errorf("cards after the refused run = %v, want only %s", got, added)
	}
}

func TestRunCancelled(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Run(ctx, st, Options{Cards: 20_000, Progress: func(done, total int) {
		if done >= 5000 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: err = %v, want context.Canceled", err)
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM cards`); got != 0 {
		t.Errorf("%d cards after a cancelled run, want 0", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(st.Path()))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".seed-") {
			t.Errorf("staging file %s left behind", e.Name())
		}
	}
	// The store still works, and a new run succeeds.
	if _, err := Run(context.Background(), st, Options{Cards: 100}); err != nil {
		t.Fatalf("Run after a cancelled run: %v", err)
	}
}

func TestRunOptions(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), st, Options{Cards: -1}); err == nil {
		t.Error("Run with Cards = -1: err = nil, want an error")
	}
	sum, err := Run(context.Background(), st, Options{})
	if err != nil || sum.Cards != 0 {
		t.Errorf("Run with Cards = 0 = %+v, %v; want nothing done", sum, err)
	}
	// Seed 0 means seed 1.
	a, _ := seedStore(t, 50, 0)
	b, _ := seedStore(t, 50, 1)
	q := `SELECT id FROM cards ORDER BY rowid`
	if strings.Join(queryStrings(t, a.Reader(), q), ",") != strings.Join(queryStrings(t, b.Reader(), q), ",") {
		t.Error("seed 0 and seed 1 differ")
	}
}

// TestVocabulary checks the name lists fold the way the seed assumes.
func TestVocabulary(t *testing.T) {
	ascii := regexp.MustCompile(`^[a-z0-9 .'-]+$`)
	check := func(tok token) {
		if got := store.NormalizeName(tok.upper); got != tok.norm {
			t.Errorf("NormalizeName(%q) = %q, want %q as for %q", tok.upper, got, tok.norm, tok.s)
		}
		if got := store.NormalizeName(tok.emb); got != tok.norm {
			t.Errorf("NormalizeName(%q) = %q, want %q", tok.emb, got, tok.norm)
		}
		if !ascii.MatchString(tok.norm) {
			t.Errorf("%q folds to %q, not plain ASCII", tok.s, tok.norm)
		}
		if tok.mail == "" {
			t.Errorf("%q gives no e-mail part", tok.s)
		}
	}
	for _, l := range vocab.locales {
		for _, list := range [][]token{l.male, l.female, l.lastM, l.lastF, l.middleM, l.middleF} {
			for _, tok := range list {
				check(tok)
			}
		}
		if len(l.male) == 0 || len(l.female) == 0 || len(l.lastM) == 0 || len(l.domains) == 0 {
			t.Errorf("locale %s is missing names or domains", l.country)
		}
	}
	for _, m := range append(append([]vmerchant{}, vocab.online...), vocab.travel...) {
		if m.min <= 0 || m.max < m.min || len(m.merchant.country) != 2 || len(m.merchant.mcc) != 4 {
			t.Errorf("merchant %+v", m.merchant)
		}
	}
	if got := formatRate(10_850_000_000); got != "1.085" {
		t.Errorf("formatRate = %q, want 1.085", got)
	}
	if got := formatRate(400_000); got != "0.00004" {
		t.Errorf("formatRate = %q, want 0.00004", got)
	}
	if got := formatRate(rateScale); got != "1" {
		t.Errorf("formatRate = %q, want 1", got)
	}
}

func TestAccountNumberIsAPermutation(t *testing.T) {
	seen := make(map[uint64]bool, 200_000)
	for slot := uint64(0); slot < 200_000; slot++ {
		a := accountNumber(slot)
		if a >= accountSpace {
			t.Fatalf("accountNumber(%d) = %d, out of range", slot, a)
		}
		if seen[a] {
			t.Fatalf("accountNumber(%d) = %d repeats", slot, a)
		}
		seen[a] = true
	}
	// The last slots too.
	for slot := uint64(accountSpace - 1000); slot < accountSpace; slot++ {
		if a := accountNumber(slot); a >= accountSpace {
			t.Fatalf("accountNumber(%d) = %d, out of range", slot, a)
		}
	}
}

// TestRunBesideReaders runs a large-style copy while the store's read pool
// has a connection open: the switch to a rollback journal is refused and the
// copy goes through the WAL, with the same result.
func TestRunBesideReaders(t *testing.T) {
	old := rollbackJournalAt
	rollbackJournalAt = 1
	t.Cleanup(func() { rollbackJournalAt = old })
	var rollback any
	oldTrace := tracef
	tracef = func(format string, args ...any) {
		if strings.HasPrefix(format, "publishing") {
			rollback = args[0]
		}
	}
	t.Cleanup(func() { tracef = oldTrace })
	st := openStore(t)
	// Hold a read transaction open on the read pool for the whole run.
	rtx, err := st.Reader().BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var before int
	if err := rtx.QueryRow(`SELECT count(*) FROM cards`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), st, Options{Cards: 300}); err != nil {
		t.Fatalf("Run beside a reader: %v", err)
	}
	rtx.Rollback()
	if rollback != false {
		t.Errorf("copy used a rollback journal (%v) while a reader was open", rollback)
	}
	if got := queryStrings(t, st.Writer(), `PRAGMA journal_mode`); len(got) != 1 || got[0] != "wal" {
		t.Errorf("journal_mode = %v, want wal", got)
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM cards`); got != 300 {
		t.Errorf("%d cards, want 300", got)
	}
}

// TestStoredNumbers recomputes the card numbers the seed drew and checks
// the database holds exactly their keyed hashes and first 6 / last 4: the
// numbers are Luhn-valid 16-digit PANs on the card's BIN, and only their
// HMAC is stored.
func TestStoredNumbers(t *testing.T) {
	st, _ := seedStore(t, 400, 1)
	key := st.PANKey()
	if len(key) != store.PANKeySize {
		t.Fatalf("PAN key: %d bytes", len(key))
	}
	rows, err := st.Reader().Query(`SELECT c.rowid - 1, c.bin, n.first6, n.last4, n.pan_hash FROM card_numbers n JOIN cards c ON c.id = n.card_id ORDER BY c.rowid, n.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	// The run stored card index order[i] at rowid i+1.
	order := newGen(1, key).cardOrder(0, 400)
	var slot, card uint64
	var last4s []string
	checked := 0
	for rows.Next() {
		var row, idx uint64
		var bin, first6, last4 string
		var hash []byte
		if err := rows.Scan(&row, &bin, &first6, &last4, &hash); err != nil {
			t.Fatal(err)
		}
		idx = order[row]
		if checked == 0 || idx != card {
			card, slot, last4s = idx, idx*slotsPerCard, nil
		}
		var pan string
		for {
			pan = store.NewPAN(bin, func(int) string { return nineDigits(accountNumber(slot)) })
			slot++
			if !containsString(last4s, pan[12:]) {
				break
			}
		}
		last4s = append(last4s, pan[12:])
		if len(pan) != 16 || !store.LuhnValid(pan) || pan[:6] != bin || first6 != bin || last4 != pan[12:] {
			t.Fatalf("card %d: number on BIN %s does not match the stored %s…%s", idx, bin, first6, last4)
		}
		if !bytes.Equal(hash, store.HashPAN(key, pan)) {
			t.Fatalf("card %d: pan_hash is not HashPAN of its number", idx)
		}
		checked++
	}
	if checked < 400 {
		t.Errorf("checked %d numbers, want at least 400", checked)
	}
}

// TestSchemaUntouched: seeding leaves the schema exactly as it was.
func TestSchemaUntouched(t *testing.T) {
	st := openStore(t)
	q := `SELECT type || ' ' || name || ' ' || tbl_name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name`
	before := queryStrings(t, st.Reader(), q)
	old := rollbackJournalAt
	rollbackJournalAt = 1
	t.Cleanup(func() { rollbackJournalAt = old })
	if _, err := Run(context.Background(), st, Options{Cards: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), st, Options{Cards: 100}); err != nil {
		t.Fatal(err)
	}
	after := queryStrings(t, st.Reader(), q)
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("schema changed by seeding:\nbefore %q\nafter  %q", before, after)
	}
	// main and, once anything used it, temp are always there.
	if got := queryInt(t, st.Writer(), `SELECT count(*) FROM pragma_database_list WHERE name NOT IN ('main', 'temp')`); got != 0 {
		t.Errorf("%d databases attached to the writer connection, want 0 (staging left attached)", got)
	}
}

func TestRunRemovesStaleStaging(t *testing.T) {
	st := openStore(t)
	dir := filepath.Dir(st.Path())
	stale := filepath.Join(dir, filepath.Base(st.Path())+".seed-1.tmp")
	fresh := filepath.Join(dir, filepath.Base(st.Path())+".seed-2.tmp")
	for _, f := range []string{stale, fresh} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	if _, err := Run(context.Background(), st, Options{Cards: 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale staging file still there (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent staging file, perhaps another run's, was removed: %v", err)
	}
}

// TestRunWithTrigger: a trigger on a seeded table (a search index kept in
// sync, say) turns the raw copy into a row-by-row one; the trigger sees
// every card.
func TestRunWithTrigger(t *testing.T) {
	st := openStore(t)
	for _, q := range []string{
		`CREATE TABLE card_search (card_id TEXT PRIMARY KEY, name_norm TEXT NOT NULL)`,
		`CREATE TRIGGER cards_search_ai AFTER INSERT ON cards BEGIN
			INSERT INTO card_search (card_id, name_norm) VALUES (new.id, new.name_norm); END`,
	} {
		if _, err := st.Writer().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Run(context.Background(), st, Options{Cards: 300}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM card_search s JOIN cards c ON c.id = s.card_id AND c.name_norm = s.name_norm`); got != 300 {
		t.Errorf("trigger saw %d cards, want 300", got)
	}
	if got := queryStrings(t, st.Reader(), `PRAGMA integrity_check`); len(got) != 1 || got[0] != "ok" {
		t.Errorf("integrity_check = %v", got)
	}
}
