package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"padlock/queue"
	"padlock/store"
)

// PayloadType names the JSON a webhook receives.
const PayloadType = "padlock.alert/1"

// Payload is the JSON body of a webhook: one site that got worse.
type Payload struct {
	Type         string          `json:"type"` // PayloadType
	ID           int64           `json:"id"`   // the alert id: the same on every retry
	Created      time.Time       `json:"created"`
	Schedule     ScheduleRef     `json:"schedule"`
	Scan         int64           `json:"scan"`                   // the run's scan
	PreviousScan int64           `json:"previousScan,omitempty"` // what it was compared with
	Site         string          `json:"site"`
	Organisation string          `json:"organisation,omitempty"`
	URL          string          `json:"url,omitempty"`
	From         string          `json:"from"`
	To           string          `json:"to"`
	Changes      json.RawMessage `json:"changes"` // []Change
}

// ScheduleRef names the schedule an alert comes from.
type ScheduleRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// Body is the webhook body of a stored alert. It depends only on what is
// stored, so every retry sends the same bytes.
func Body(a store.Alert, sc store.Schedule) ([]byte, error) {
	changes := a.Changes
	if len(changes) == 0 {
		changes = json.RawMessage("[]")
	}
	return json.Marshal(Payload{
		Type: PayloadType, ID: int64(a.ID), Created: a.Created.UTC(),
		Schedule: ScheduleRef{ID: int64(sc.ID), Name: sc.Name},
		Scan:     int64(a.ScanID), PreviousScan: int64(a.PrevScanID),
		Site: a.Site, Organisation: a.Organisation, URL: a.URL, From: a.From, To: a.To,
		Changes: changes,
	})
}

// Webhook delivery bounds.
const (
	// DeliverTimeout bounds one POST, connection and answer included.
	DeliverTimeout = 15 * time.Second
	// maxAnswer is how much of the receiver's answer is read.
	maxAnswer = 4 << 10
)

// CheckURL refuses a webhook URL padlock would not POST to: it must be
// absolute http or https, without user information (the secret signs; a
// password in the URL would be stored and shown).
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("webhook URL: %v", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("webhook URL %q: must be https:// (or http://)", u.Redacted())
	case u.Host == "":
		return fmt.Errorf("webhook URL %q: no host", u.Redacted())
	case u.User != nil:
		return fmt.Errorf("webhook URL %q: no user or password in the URL (the body is signed)", u.Redacted())
	}
	return nil
}

// Deliver POSTs body to the webhook, signed with secret at now. A 2xx
// answer is success; anything else, a redirect included (a signed alert is
// never forwarded elsewhere), is an error. client nil is a client with
// DeliverTimeout.
func Deliver(ctx context.Context, client *http.Client, webhook string, secret []byte, id store.AlertID, body []byte, now time.Time) error {
	if err := CheckURL(webhook); err != nil {
		return err
	}
	if client == nil {
		client = &http.Client{Timeout: DeliverTimeout}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ctx, cancel := context.WithTimeout(ctx, DeliverTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "padlock-alert/1")
	req.Header.Set("Padlock-Alert", strconv.FormatInt(int64(id), 10))
	req.Header.Set(SignatureHeader, Sign(secret, now, body))
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: answered %s", resp.Status)
	}
	return nil
}

// QueueName is the River queue of the schedule and alert jobs (package
// schedule registers it), apart from the scans' so that an alert is never
// stuck behind a big scan.
const QueueName = "watch"

// DeliverArgs is the River job that delivers one alert.
type DeliverArgs struct {
	Alert store.AlertID `json:"alert"`
}

// Kind is the River job kind.
func (DeliverArgs) Kind() string { return "padlock_alert_deliver" }

// DeliverMaxAttempts is how many times a webhook is tried.
const DeliverMaxAttempts = 10

// InsertOpts: one job per alert (unique by its id), DeliverMaxAttempts.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: DeliverMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DeliverWorker delivers alerts by webhook. A failed attempt is recorded
// with the alert (attempts, last error) and returned to River, which tries
// again after Backoff (nil: River's default policy, attempt⁴ seconds); the
// alert becomes store.AlertFailed when the last attempt fails.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	// Store is where alerts are read; nil: the store of the queue working
	// the job (queue.FromContext).
	Store   store.Watcher
	Client  *http.Client                    // nil: DeliverTimeout
	Backoff func(attempt int) time.Duration // nil: River's default
	Now     func() time.Time                // nil: time.Now
}

func (w *DeliverWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Work delivers the job's alert, unless it was delivered already.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	wa := w.Store
	if wa == nil {
		q := queue.FromContext(ctx)
		if q == nil {
			return errors.New("alert: no store to deliver from")
		}
		var ok bool
		if wa, ok = q.Store().(store.Watcher); !ok {
			return river.JobCancel(fmt.Errorf("alert: the database keeps no alerts (%T)", q.Store()))
		}
	}
	a, err := wa.Alert(ctx, job.Args.Alert)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if a.Status == store.AlertSent || a.Status == store.AlertUnsent {
		return nil
	}
	sc, err := wa.Schedule(ctx, a.ScheduleID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sc.WebhookURL == "") {
		wa.SetAlertDelivery(ctx, a.ID, store.AlertUnsent, a.Attempts, time.Time{}, "the schedule has no webhook any more")
		return nil
	}
	if err != nil {
		return err
	}
	body, err := Body(a, sc)
	if err != nil {
		return river.JobCancel(err)
	}
	now := w.now()
	derr := Deliver(ctx, w.Client, sc.WebhookURL, []byte(sc.WebhookSecret), a.ID, body, now)
	attempts := a.Attempts + 1
	switch {
	case derr == nil:
		return wa.SetAlertDelivery(ctx, a.ID, store.AlertSent, attempts, now, "")
	case job.Attempt >= job.MaxAttempts:
		wa.SetAlertDelivery(ctx, a.ID, store.AlertFailed, attempts, time.Time{}, derr.Error())
	default:
		wa.SetAlertDelivery(ctx, a.ID, store.AlertPending, attempts, time.Time{}, derr.Error())
	}
	return derr
}

// NextRetry applies Backoff when set.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	if w.Backoff == nil {
		return time.Time{}
	}
	return time.Now().Add(w.Backoff(job.Attempt))
}

// Timeout bounds a delivery job a little above one POST.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return DeliverTimeout + 5*time.Second
}
