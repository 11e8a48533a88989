package server

// A minimal Chrome DevTools Protocol client for the browser test: it
// starts headless Chromium on a loopback debugging port, attaches to its
// page over the WebSocket, sends commands and keeps the events.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// cdpTimeout bounds one command, and each wait of the browser test.
const cdpTimeout = 30 * time.Second

// browser is a headless Chromium started for a test.
type browser struct {
	cmd  *exec.Cmd
	port int
	done chan struct{}
	logs *bytes.Buffer
}

// startBrowser starts headless Chromium with a fresh profile and a
// debugging port on loopback; it is killed when the test ends.
func startBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	profile := t.TempDir()
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--no-default-browser-check",
		"--hide-scrollbars", "--force-color-profile=srgb",
		"--user-data-dir="+profile,
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--remote-allow-origins=http://127.0.0.1",
		"--window-size=1280,900",
		"about:blank")
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helper processes go with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	b := &browser{cmd: cmd, done: make(chan struct{}), logs: logs}
	go func() { cmd.Wait(); close(b.done) }()
	t.Cleanup(func() {
		// The whole process group: the browser and its helpers.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			t.Errorf("chromium (pid %d) did not exit", cmd.Process.Pid)
		}
	})

	// Chromium writes the port it picked to DevToolsActivePort.
	deadline := time.Now().Add(cdpTimeout)
	for {
		data, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if err == nil {
			if line, _, _ := strings.Cut(string(data), "\n"); line != "" {
				if b.port, err = strconv.Atoi(strings.TrimSpace(line)); err == nil && b.port > 0 {
					break
				}
			}
		}
		select {
		case <-b.done:
			t.Fatalf("chromium exited at start:\n%s", tail(logs.String(), 3000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not open its debugging port within %v:\n%s", cdpTimeout, tail(logs.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// cdpMessage is a message from the browser: an answer (ID) or an event
// (Method).
type cdpMessage struct {
	ID     int             `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// page is a connection to one page target.
type page struct {
	t  *testing.T
	ws *websocket.Conn

	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  []cdpMessage
	notify  chan struct{}
	readErr error
}

// page attaches to the browser's first page target.
func (b *browser) page(t *testing.T) *page {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/json/list", b.port))
	if err != nil {
		t.Fatal(err)
	}
	var targets []struct {
		Type string `json:"type"`
		WS   string `json:"webSocketDebuggerUrl"`
	}
	err = json.NewDecoder(resp.Body).Decode(&targets)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	wsURL := ""
	for _, tg := range targets {
		if tg.Type == "page" {
			wsURL = tg.WS
			break
		}
	}
	if wsURL == "" {
		t.Fatalf("no page target in %+v", targets)
	}
	if !strings.HasPrefix(wsURL, "ws://127.0.0.1:") {
		t.Fatalf("unexpected debugger URL %q", wsURL)
	}
	cfg, err := websocket.NewConfig(wsURL, "http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dialer = &net.Dialer{Timeout: 10 * time.Second}
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		t.Fatalf("attaching to %s: %v", wsURL, err)
	}
	ws.MaxPayloadBytes = 256 << 20
	p := &page{t: t, ws: ws, pending: map[int]chan cdpMessage{}, notify: make(chan struct{}, 1)}
	t.Cleanup(func() { ws.Close() })
	go p.read()
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable", "Network.enable"} {
		p.call(m, nil)
	}
	return p
}

func (p *page) read() {
	for {
		var data []byte
		if err := websocket.Message.Receive(p.ws, &data); err != nil {
			p.mu.Lock()
			p.readErr = err
			for _, ch := range p.pending {
				close(ch)
			}
			p.pending = map[int]chan cdpMessage{}
			p.mu.Unlock()
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(data, &m); err != nil {
			continue
		}
		p.mu.Lock()
		if m.ID != 0 {
			if ch, ok := p.pending[m.ID]; ok {
				ch <- m
				delete(p.pending, m.ID)
			}
		} else if m.Method != "" {
			p.events = append(p.events, m)
			select {
			case p.notify <- struct{}{}:
			default:
			}
		}
		p.mu.Unlock()
	}
}

// call sends a command and returns its result; an error answer or no
// answer within cdpTimeout fails the test.
func (p *page) call(method string, params any) json.RawMessage {
	p.t.Helper()
	res, err := p.try(method, params)
	if err != nil {
		p.t.Fatalf("%s: %v", method, err)
	}
	return res
}

func (p *page) try(method string, params any) (json.RawMessage, error) {
	p.mu.Lock()
	if p.readErr != nil {
		p.mu.Unlock()
		return nil, p.readErr
	}
	p.nextID++
	id := p.nextID
	ch := make(chan cdpMessage, 1)
	p.pending[id] = ch
	p.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	p.ws.SetWriteDeadline(time.Now().Add(cdpTimeout))
	if err := websocket.Message.Send(p.ws, string(data)); err != nil {
		return nil, err
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, errors.New("connection to the browser lost")
		}
		if m.Error != nil {
			return nil, fmt.Errorf("error %d: %s", m.Error.Code, m.Error.Message)
		}
		return m.Result, nil
	case <-time.After(cdpTimeout):
		return nil, fmt.Errorf("no answer within %v", cdpTimeout)
	}
}

// mark returns the number of events so far, to wait for later ones.
func (p *page) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.events)
}

// waitEvent waits for an event named method after mark.
func (p *page) waitEvent(method string, mark int) cdpMessage {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cdpTimeout)
	defer cancel()
	for {
		p.mu.Lock()
		for _, e := range p.events[mark:] {
			if e.Method == method {
				p.mu.Unlock()
				return e
			}
		}
		err := p.readErr
		p.mu.Unlock()
		if err != nil {
			p.t.Fatalf("waiting for %s: %v", method, err)
		}
		select {
		case <-p.notify:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			p.t.Fatalf("no %s within %v", method, cdpTimeout)
		}
	}
}

// navigate loads url and waits for its load event.
func (p *page) navigate(url string) {
	p.t.Helper()
	m := p.mark()
	res := p.call("Page.navigate", map[string]any{"url": url})
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	json.Unmarshal(res, &nav)
	if nav.ErrorText != "" {
		p.t.Fatalf("navigating to %s: %s", url, nav.ErrorText)
	}
	p.waitEvent("Page.loadEventFired", m)
}

// eval evaluates a JavaScript expression and decodes its value into v.
func (p *page) eval(expr string, v any) {
	p.t.Helper()
	res := p.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		p.t.Fatal(err)
	}
	if r.ExceptionDetails != nil {
		p.t.Fatalf("evaluating %.80q: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if v != nil {
		if err := json.Unmarshal(r.Result.Value, v); err != nil {
			p.t.Fatalf("evaluating %.80q: %v (%s)", expr, err, r.Result.Value)
		}
	}
}

// screenshot saves the whole page (up to maxHeight CSS pixels tall) as a
// PNG.
func (p *page) screenshot(path string, width, maxHeight int) {
	p.t.Helper()
	var h float64
	p.eval(`Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)`, &h)
	height := min(max(int(h), 600), maxHeight)
	p.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false})
	defer p.call("Emulation.clearDeviceMetricsOverride", nil)
	res := p.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
	var shot struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(res, &shot); err != nil {
		p.t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || len(png) < 8 || string(png[1:4]) != "PNG" {
		p.t.Fatalf("screenshot: not a PNG (%d bytes, %v)", len(png), err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s (%dx%d)", path, width, height)
}

// consoleProblem is an error the page reported.
type consoleProblem struct {
	Kind, Text, URL string
}

// problems returns the console errors and warnings, uncaught exceptions,
// error log entries (CSP violations...) and failed or 4xx/5xx loads since
// mark.
func (p *page) problems(mark int) []consoleProblem {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []consoleProblem
	for _, e := range p.events[mark:] {
		switch e.Method {
		case "Runtime.consoleAPICalled":
			var c struct {
				Type string `json:"type"`
				Args []struct {
					Value       any    `json:"value"`
					Description string `json:"description"`
				} `json:"args"`
			}
			json.Unmarshal(e.Params, &c)
			if c.Type != "error" && c.Type != "assert" && c.Type != "warning" {
				continue
			}
			var parts []string
			for _, a := range c.Args {
				parts = append(parts, fmt.Sprint(a.Value)+a.Description)
			}
			out = append(out, consoleProblem{"console." + c.Type, strings.Join(parts, " "), ""})
		case "Runtime.exceptionThrown":
			var x struct {
				ExceptionDetails struct {
					Text      string `json:"text"`
					URL       string `json:"url"`
					Exception struct {
						Description string `json:"description"`
					} `json:"exception"`
				} `json:"exceptionDetails"`
			}
			json.Unmarshal(e.Params, &x)
			out = append(out, consoleProblem{"exception", x.ExceptionDetails.Text + " " + x.ExceptionDetails.Exception.Description, x.ExceptionDetails.URL})
		case "Network.responseReceived":
			var r struct {
				Type     string `json:"type"`
				Response struct {
					URL    string `json:"url"`
					Status int    `json:"status"`
				} `json:"response"`
			}
			json.Unmarshal(e.Params, &r)
			if r.Response.Status >= 400 {
				out = append(out, consoleProblem{"network." + r.Type, fmt.Sprintf("HTTP %d", r.Response.Status), r.Response.URL})
			}
		case "Network.loadingFailed":
			var f struct {
				Type      string `json:"type"`
				ErrorText string `json:"errorText"`
				Canceled  bool   `json:"canceled"`
			}
			json.Unmarshal(e.Params, &f)
			if !f.Canceled {
				out = append(out, consoleProblem{"network." + f.Type, "failed: " + f.ErrorText, ""})
			}
		case "Log.entryAdded":
			var l struct {
				Entry struct {
					Level  string `json:"level"`
					Source string `json:"source"`
					Text   string `json:"text"`
					URL    string `json:"url"`
				} `json:"entry"`
			}
			json.Unmarshal(e.Params, &l)
			if l.Entry.Level == "error" || l.Entry.Level == "warning" {
				out = append(out, consoleProblem{"log." + l.Entry.Source + "." + l.Entry.Level, l.Entry.Text, l.Entry.URL})
			}
		}
	}
	return out
}
