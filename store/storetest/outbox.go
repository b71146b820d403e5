package storetest

import (
	"context"
	"fmt"
	"time"

	"cardops/store"
)

// QueueNotifications adds n pending CARDS/AUTHORIZATION notifications to
// the outbox in one statement, each with its own webhook id and operation
// id, shaped as a burst's are but in no burst: benchmarks queue more than
// one burst may hold (store.MaxBurst), and more than one burst at a time
// (store.EnqueueBurst refuses a burst while another is being delivered).
func QueueNotifications(ctx context.Context, st *store.Store, n int) error {
	run := NewID()[:8]
	now := time.Now().UnixMilli()
	created := time.UnixMilli(now).UTC().Format(time.RFC3339Nano)
	_, err := st.Writer().ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1),
		ops(i, op, cents) AS (SELECT i, printf('bench-%s-%08d', ?2, i), 100 + (i * 7919) % 99900 FROM seq)
		INSERT INTO outbox(webhook_id, operation_id, operation, sub_operation, status, card_id, body, source, mode,
			actor, state, next_attempt_at, created_at)
		SELECT printf('msg_bench%s%08d', ?2, i), op, 'CARDS', 'AUTHORIZATION', 'PENDING', '',
			CAST(json_object('operation', 'CARDS', 'sub_operation', 'AUTHORIZATION', 'operation_id', op, 'status', 'PENDING',
				'data', json_object('card_id', '', 'bill_amount', cents / 100.0, 'bill_currency_number', '840',
					'bill_currency_code', 'USD', 'transaction_amount', cents / 100.0, 'transaction_currency_number', '840',
					'transaction_currency_code', 'USD', 'exchange_rate', 1, 'fees', json_object('atm_fees', 0, 'fx_fees', 0),
					'merchant_data', json_object('id', 'SBXBURST', 'name', 'Burst test merchant', 'city', 'San Francisco',
						'country', 'US', 'mcc', '5999'),
					'created_at', ?3, 'burst', json_object('seq', i, 'of', ?1))) AS BLOB),
			'burst', 'normal', 'bench', 'pending', ?4, ?4
		FROM ops`, n, run, created, now)
	if err != nil {
		return fmt.Errorf("storetest: queue %d notifications: %w", n, err)
	}
	return nil
}
