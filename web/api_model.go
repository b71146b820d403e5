package web

import (
	"encoding/json"
	"fmt"
	"time"

	"cardops/store"
)

// apiCard is the provider's card object. It has no number beyond last4, no
// CVV, no expiry and no balance, as the provider's has none.
type apiCard struct {
	ID               string       `json:"id"`
	CardHolderName   string       `json:"card_holder_name"`
	Type             string       `json:"type"`
	Last4            string       `json:"last4"`
	Status           string       `json:"status"`
	ApprovalMethod   string       `json:"approval_method"`
	DailyLimit       *json.Number `json:"daily_limit"`
	WeeklyLimit      *json.Number `json:"weekly_limit"`
	MonthlyLimit     *json.Number `json:"monthly_limit"`
	Forwarded3DSType string       `json:"forwarded_3ds_type"`
	Meta             apiCardMeta  `json:"meta"`
}

type apiCardMeta struct {
	Email          string       `json:"email"`
	OTPPhoneNumber apiCardPhone `json:"otp_phone_number"`
}

type apiCardPhone struct {
	DialCode    string `json:"dial_code"`
	PhoneNumber string `json:"phone_number"`
}

func newAPICard(c store.Card) apiCard {
	return apiCard{
		ID: c.ID, CardHolderName: c.HolderName, Type: c.Type, Last4: c.Last4, Status: c.Status,
		ApprovalMethod: c.ApprovalMethod, DailyLimit: usdOrNull(c.DailyLimit), WeeklyLimit: usdOrNull(c.WeeklyLimit),
		MonthlyLimit: usdOrNull(c.MonthlyLimit), Forwarded3DSType: c.Forwarded3DS,
		Meta: apiCardMeta{Email: c.Email, OTPPhoneNumber: apiCardPhone{DialCode: c.PhoneDialCode, PhoneNumber: c.PhoneNumber}},
	}
}

// usd writes cents as an exact JSON number of dollars, e.g. 12.30.
func usd(cents int64) json.Number {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return json.Number(fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100))
}

func usdOrNull(cents *int64) *json.Number {
	if cents == nil {
		return nil
	}
	n := usd(*cents)
	return &n
}

// apiTransaction is the provider's transaction object.
type apiTransaction struct {
	ID                  string            `json:"id"`
	Datetime            string            `json:"datetime"`
	Operation           string            `json:"operation"`
	BillAmount          json.Number       `json:"bill_amount"`
	BillCurrency        string            `json:"bill_currency"`
	TransactionAmount   json.Number       `json:"transaction_amount"`
	TransactionCurrency string            `json:"transaction_currency"`
	ExchangeRate        json.Number       `json:"exchange_rate"`
	MerchantName        string            `json:"merchant_name"`
	OriginalBalance     json.Number       `json:"original_balance"`
	NewBalance          json.Number       `json:"new_balance"`
	Status              string            `json:"status"`
	DeclineReason       *apiDeclineReason `json:"decline_reason"`
	FeeFXProvider       json.Number       `json:"fee_fx_provider"`
	FeeFXClient         json.Number       `json:"fee_fx_client"`
	FeeATMProvider      json.Number       `json:"fee_atm_provider"`
	FeeATMClient        json.Number       `json:"fee_atm_client"`
	FeeDepositProvider  json.Number       `json:"fee_deposit_provider"`
	FeeDepositClient    json.Number       `json:"fee_deposit_client"`
}

type apiDeclineReason struct {
	ResponseCode string `json:"response_code"`
	Description  string `json:"description"`
}

func newAPITransaction(m store.Movement) apiTransaction {
	t := apiTransaction{
		ID: m.ID, Datetime: time.UnixMilli(m.Datetime).UTC().Format("2006-01-02T15:04:05Z"), Operation: m.Operation,
		BillAmount: usd(m.BillAmountCents), BillCurrency: m.BillCurrency,
		TransactionAmount: usd(m.TxAmountCents), TransactionCurrency: m.TxCurrency,
		ExchangeRate: json.Number(m.ExchangeRate), MerchantName: m.MerchantName,
		OriginalBalance: usd(m.OriginalBalance), NewBalance: usd(m.NewBalance), Status: m.Status,
		FeeFXProvider: "0.00", FeeFXClient: usd(m.FeeFXCents), FeeATMProvider: "0.00", FeeATMClient: usd(m.FeeATMCents),
		FeeDepositProvider: "0.00", FeeDepositClient: "0.00",
	}
	if !validJSONNumber(m.ExchangeRate) {
		t.ExchangeRate = "1"
	}
	if m.DeclineCode != "" || m.DeclineDescription != "" {
		t.DeclineReason = &apiDeclineReason{ResponseCode: m.DeclineCode, Description: m.DeclineDescription}
	}
	return t
}

func validJSONNumber(s string) bool {
	var n json.Number
	return s != "" && json.Unmarshal([]byte(s), &n) == nil
}
