package timeout

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// sizedBody serves a body of n bytes, n from the query (?n=...).
var sizedBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	_, _ = w.Write(bytes.Repeat([]byte("x"), n))
})

// eofWatch wraps a transport and records, for every response body, whether
// it was read to its end (io.EOF) before it was closed: the condition for
// the transport to put the connection back in its pool.
type eofWatch struct {
	http.RoundTripper
	closedEarly, closedAtEOF atomic.Int32
}

func (w *eofWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.RoundTripper.RoundTrip(req)
	if err == nil {
		resp.Body = &watchedBody{ReadCloser: resp.Body, w: w}
	}
	return resp, err
}

type watchedBody struct {
	io.ReadCloser
	w   *eofWatch
	eof bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.eof = b.eof || err == io.EOF
	return n, err
}

func (b *watchedBody) Close() error {
	if b.eof {
		b.w.closedAtEOF.Add(1)
	} else {
		b.w.closedEarly.Add(1)
	}
	return b.ReadCloser.Close()
}

// TestGetBodyLimit: a body up to the limit comes back whole, and is read to
// its end so the connection can be reused; a longer one is an error, not a
// body silently cut short.
func TestGetBodyLimit(t *testing.T) {
	srv := httptest.NewServer(sizedBody)
	defer srv.Close()

	for _, tt := range []struct {
		name        string
		size        int
		wantTooBig  bool
		wantAtEOF   bool // closed after reading to the end
		wantBodyLen int
	}{
		{"small", 10, false, true, 10},
		{"exactly the limit", maxBody, false, true, maxBody},
		{"one byte over", maxBody + 1, true, false, 0},
		{"twice the limit", 2 * maxBody, true, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			watch := &eofWatch{RoundTripper: srv.Client().Transport}
			client := &http.Client{Transport: watch}
			status, body, err := Get(t.Context(), client, srv.URL+"/?n="+strconv.Itoa(tt.size))

			if tt.wantTooBig {
				if !errors.Is(err, ErrBodyTooLarge) || body != nil || status != http.StatusOK {
					t.Errorf("a %d-byte body: Get = %d, %d bytes, %v; want 200, no body and ErrBodyTooLarge",
						tt.size, status, len(body), err)
				}
			} else if err != nil || len(body) != tt.wantBodyLen {
				t.Errorf("a %d-byte body: Get returned %d bytes and %v, want all of it and no error", tt.size, len(body), err)
			}
			if got := watch.closedAtEOF.Load() == 1; got != tt.wantAtEOF {
				t.Errorf("body closed after reading to its end = %v, want %v (closed early: %d)",
					got, tt.wantAtEOF, watch.closedEarly.Load())
			}
		})
	}
}
