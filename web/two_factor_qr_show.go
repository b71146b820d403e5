package web

import (
	"bytes"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"

	"cardops/store"
)

// twoFactorQRShow draws the secret being enrolled as a QR code PNG (GET
// /account/2fa/qr.png), never cached. Once enrolled there is none: 404.
func (s *Server) twoFactorQRShow(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	if p.TwoFactor {
		s.notFound(w, r)
		return
	}
	secret, err := s.store.TOTPEnrolmentSecret(r.Context(), p.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	key, err := otp.NewKeyFromURL(store.TOTPKeyURL(p.Username, secret))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	img, err := key.Image(200, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
