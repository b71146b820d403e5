package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for name and its key as PEM
// files in dir.
func writeCert(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

// TestServeTLS: with --tls-cert and --tls-key the console serves HTTPS,
// says so, sends HSTS, and delivers notifications to its own receiver over
// HTTPS.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "console.example.test")
	c := startServe(t, []string{"--db", filepath.Join(dir, "t.db"), "--tls-cert", cert, "--tls-key", key}, nil)
	base, out := c.Base, c.Out
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("printed %s, want an https URL", base)
	}
	if !strings.Contains(out.String(), "notifications are delivered to "+base+"/webhooks") {
		t.Errorf("the own receiver is not reached over https:\n%s", out.String())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("GET /login over TLS: status %d, HSTS %q; want 200 with HSTS", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	c.stop(t)
}

func TestServeRefusesBadTLSAndProxyFlags(t *testing.T) {
	dir := t.TempDir()
	cert, _ := writeCert(t, dir, "x.test")
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", cert, "--tls-key", cert}, "TLS certificate"},
		{[]string{"--trusted-proxy", "10.0.0.0/8,proxy.example"}, `--trusted-proxy "proxy.example"`},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "t.db")}, tc.args...)
		err := run(context.Background(), args, env(nil), nil, &syncBuffer{}, &syncBuffer{})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("run %v = %v, want an error containing %q", tc.args, err, tc.wantErr)
		}
	}
}

func TestParseProxies(t *testing.T) {
	got, err := parseProxies(" 10.0.0.0/8, 192.0.2.7 ,::ffff:198.51.100.1, fd00::/8,")
	if err != nil {
		t.Fatal(err)
	}
	if s, want := fmt.Sprint(got), "[10.0.0.0/8 192.0.2.7/32 198.51.100.1/32 fd00::/8]"; s != want {
		t.Errorf("parseProxies = %s, want %s", s, want)
	}
}

// TestSelfClientPinsTheConsoleCertificate: the dispatcher's client for the
// console's own HTTPS receiver accepts the console's certificate and no
// other.
func TestSelfClientPinsTheConsoleCertificate(t *testing.T) {
	dir := t.TempDir()
	load := func(name string) tls.Certificate {
		c, k := writeCert(t, dir, name)
		pair, err := tls.LoadX509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return pair
	}
	own, other := load("own.test"), load("other.test")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{own}}
	srv.StartTLS()
	defer srv.Close()
	if resp, err := selfClient(own).Get(srv.URL); err != nil {
		t.Errorf("own certificate refused: %v", err)
	} else {
		resp.Body.Close()
	}
	if resp, err := selfClient(other).Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Error("a server with another certificate was accepted")
	}
}

// TestServeWarnsOfReadableDirectory: a database in a directory others can
// read is named at start-up, with the chmod that fixes it.
func TestServeWarnsOfReadableDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	errOut := &syncBuffer{}
	// A bad flag value after the warning ends the start early.
	run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "t.db"), "--webhook-target", "ftp://x"},
		env(nil), nil, &syncBuffer{}, errOut)
	if !strings.Contains(errOut.String(), "warning: the directory of the database") || !strings.Contains(errOut.String(), "chmod 700") {
		t.Errorf("stderr %q, want a warning about the directory's mode", errOut.String())
	}
}
