package store

import (
	"testing"
	"time"
)

// BenchmarkNewDeliveryReq is the receiver's per-delivery work before the
// writer: the body, ids and headers read for card data, the headers
// bounded and encoded, for a provider notification with nothing to hide.
func BenchmarkNewDeliveryReq(b *testing.B) {
	body := []byte(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"9b2f0c1e-5d4a-4e8b-9c7d-1a2b3c4d5e6f","status":"SUCCESS",` +
		`"data":{"card_id":"00000000-0000-4000-8000-000000000011","wallet_id":"6f5e4d3c-2b1a-4c9d-8e7f-0a1b2c3d4e5f","bill_amount":12.5,"bill_currency":"USD",` +
		`"transaction_amount":11.37,"transaction_currency":"EUR","exchange_rate":"1.0994","datetime":1790000060000,` +
		`"merchant_data":{"name":"LIDL SP. Z O.O.","city":"WROCLAW","country":"PL","mcc":"5411"},"original_balance":3400,"new_balance":349}}`)
	headers := map[string][]string{"Content-Type": {"application/json"}, "Webhook-Id": {"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"},
		"Webhook-Timestamp": {"1790000060"}, "Webhook-Signature": {"[redacted]"}, "User-Agent": {"provider/1.0"}, "Content-Length": {"512"}}
	for b.Loop() {
		d := Delivery{ReceivedAt: time.UnixMilli(1790000060000), Headers: headers, Body: body, WebhookID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
			Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: "9b2f0c1e-5d4a-4e8b-9c7d-1a2b3c4d5e6f", Status: "SUCCESS",
			CardID: "00000000-0000-4000-8000-000000000011", WalletID: "6f5e4d3c-2b1a-4c9d-8e7f-0a1b2c3d4e5f"}
		if _, err := newDeliveryReq(&d); err != nil {
			b.Fatal(err)
		}
	}
}
