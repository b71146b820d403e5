package store

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func benchDelivery(i int64) Delivery {
	id := "bench-" + strconv.FormatInt(i, 10)
	return Delivery{ReceivedAt: time.Now(), RemoteAddr: "127.0.0.1",
		Headers:      map[string][]string{"Content-Type": {"application/json"}, "Webhook-Id": {"msg_" + id}},
		Verification: "standard-webhooks: ok", WebhookID: "msg_" + id, Operation: "CARDS", SubOperation: "AUTHORIZATION",
		OperationID: id, Status: "PENDING", StatusRaw: "PENDING", CardID: "3f6c2a9e-1d4b-4c55-9a8e-7b1f0c2d3e4f",
		Body: []byte(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"` + id +
			`","status":"PENDING","data":{"card_id":"3f6c2a9e-1d4b-4c55-9a8e-7b1f0c2d3e4f","bill_amount":12.5,"merchant_data":{"name":"Corner Coffee"}}}`)}
}

// BenchmarkRecordDeliveryGroupCommit stores deliveries from 64 concurrent
// callers through the group commit; each returns only once committed.
func BenchmarkRecordDeliveryGroupCommit(b *testing.B) {
	st := openTestStore(b)
	var n atomic.Int64
	b.SetParallelism(32) // 32 x GOMAXPROCS callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := st.RecordDelivery(context.Background(), benchDelivery(n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRecordDeliveriesBatched is the raw limit: the same rows written
// by a plain loop, 256 per transaction.
func BenchmarkRecordDeliveriesBatched(b *testing.B) {
	st := openTestStore(b)
	var i int64
	batch := make([]Delivery, 0, 256)
	flush := func() {
		if _, err := st.RecordDeliveries(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for b.Loop() {
		i++
		batch = append(batch, benchDelivery(i))
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
