package benchstat

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SignIn signs user in to the console at base with c and returns the
// session cookie, for the programs that time pages through HTTP.
func SignIn(ctx context.Context, c *http.Client, base, user, password string) (*http.Cookie, error) {
	form := url.Values{"username": {user}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The answer is a redirect; its cookie is what is wanted, not the page.
	noRedirect := *c
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Value != "" {
			return ck, nil
		}
	}
	return nil, fmt.Errorf("sign-in as %s: status %d, no session cookie", user, resp.StatusCode)
}
