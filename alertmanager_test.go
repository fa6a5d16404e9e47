package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testserver"
)

// Tests against a real Alertmanager (Debian's prometheus-alertmanager),
// started on loopback with a webhook receiver in the test.

// Alertmanager's timers in these tests: short, so that a notification
// follows a post within a second. The second node of a cluster waits a
// peer timeout before it sends what the first has not; group_wait is
// longer than that (see the sentinel incident of TestAlertmanagerHAPair).
const (
	amGroupWait     = 500 * time.Millisecond
	amGroupInterval = 500 * time.Millisecond
	amPeerTimeout   = 300 * time.Millisecond
)

// amNotification is what Alertmanager's webhook receiver is sent.
type amNotification struct {
	Status      string            `json:"status"`
	GroupLabels map[string]string `json:"groupLabels"`
	Alerts      []struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		EndsAt       time.Time         `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
	} `json:"alerts"`
}

// monitor is the monitor the notification is about.
func (n amNotification) monitor() string { return n.GroupLabels["monitor"] }

// amHook is the receiver Alertmanager notifies.
//
// A cluster of Alertmanagers notifies at least once, not exactly once:
// the second node sends what the first's gossip has not told it of
// within a peer timeout, so on a busy machine a notification can come
// twice in a row. The hook passes on a notification unless it is the
// same as the one before it about the same monitor (status, alerts,
// their labels and starts), and counts those apart.
type amHook struct {
	*httptest.Server
	mu   sync.Mutex
	all  []amNotification
	last map[string]string // the key of the last notification about each monitor
	dups int
	ch   chan amNotification
}

func newAMHook(t *testing.T) *amHook {
	h := &amHook{ch: make(chan amNotification, 100), last: map[string]string{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n amNotification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			t.Errorf("webhook body: %v", err)
			return
		}
		h.mu.Lock()
		if h.last[n.monitor()] == n.key() {
			h.dups++
			h.mu.Unlock()
			return
		}
		h.last[n.monitor()] = n.key()
		h.all = append(h.all, n)
		h.mu.Unlock()
		h.ch <- n
	}))
	t.Cleanup(func() {
		h.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.dups > 0 {
			t.Logf("the cluster notified %d times more than once (gossip slower than its peer timeout)", h.dups)
		}
	})
	return h
}

// key tells one notification from another: what it says, and of which
// alerts (their labels and starts).
func (n amNotification) key() string {
	k := n.Status
	for _, a := range n.Alerts {
		k += fmt.Sprint(" ", a.Labels, a.StartsAt.UnixNano())
	}
	return k
}

// next waits for the next notification.
func (h *amHook) next(t *testing.T, what string) amNotification {
	t.Helper()
	select {
	case n := <-h.ch:
		return n
	case <-time.After(30 * time.Second):
		t.Fatalf("no notification (%s) within 30 s", what)
	}
	return amNotification{}
}

// expect waits for the next notification and checks it is status
// (firing or resolved) about monitor.
func (h *amHook) expect(t *testing.T, status, monitor string) amNotification {
	t.Helper()
	n := h.next(t, status+" "+monitor)
	if n.Status != status || n.monitor() != monitor || len(n.Alerts) != 1 {
		t.Fatalf("got a %s notification about %q with %d alerts, want %s about %q", n.Status, n.monitor(), len(n.Alerts), status, monitor)
	}
	return n
}

// repeats is how many notifications were a cluster's repeat.
func (h *amHook) repeats() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dups
}

// received returns every notification so far.
func (h *amHook) received() []amNotification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.all)
}

// amNode is one Alertmanager the test started.
type amNode struct {
	URL     string
	cluster string // its gossip address; "" without a cluster
	proc    *testserver.Process
}

// startAlertmanagers starts n Alertmanagers that notify hook; with n > 1
// they form one cluster, gossiping on loopback.
func startAlertmanagers(t *testing.T, hook string, n int) []*amNode {
	t.Helper()
	bin := testserver.Need(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	nodes := make([]*amNode, n)
	for i := range nodes {
		nodes[i] = &amNode{URL: "http://" + testserver.Addr(testserver.Port(t))}
		if n > 1 {
			nodes[i].cluster = testserver.Addr(testserver.Port(t))
		}
	}
	conf := fmt.Sprintf(`route:
  receiver: test
  group_by: [monitor]
  group_wait: %s
  group_interval: %s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: %s
        send_resolved: true
`, amGroupWait, amGroupInterval, hook)
	for i, node := range nodes {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--config.file=am.yml", "--storage.path=data", "--log.level=debug",
			"--web.listen-address=" + strings.TrimPrefix(node.URL, "http://")}
		if node.cluster == "" {
			args = append(args, "--cluster.listen-address=")
		} else {
			args = append(args, "--cluster.listen-address="+node.cluster, "--cluster.advertise-address="+node.cluster,
				"--cluster.peer-timeout="+amPeerTimeout.String(), "--cluster.gossip-interval=10ms",
				"--cluster.pushpull-interval=1s", "--cluster.probe-interval=200ms", "--cluster.probe-timeout=100ms",
				"--cluster.settle-timeout=5s", "--cluster.reconnect-interval=1s")
			for j, peer := range nodes {
				if j != i {
					args = append(args, "--cluster.peer="+peer.cluster)
				}
			}
		}
		node.proc = testserver.Start(t, fmt.Sprintf("alertmanager-%d", i+1), testserver.Options{Dir: dir}, bin, args...)
	}
	for _, node := range nodes {
		node.proc.WaitFor(t, "a ready cluster of "+fmt.Sprint(n), func() bool { return node.clusterSize() == n })
	}
	return nodes
}

// clusterSize is how many members the node sees (1 without a cluster),
// 0 while it is not ready.
func (n *amNode) clusterSize() int {
	resp, err := http.Get(n.URL + "/api/v2/status")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var st struct {
		Cluster struct {
			Status string            `json:"status"`
			Peers  []json.RawMessage `json:"peers"`
		} `json:"cluster"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&st) != nil {
		return 0
	}
	switch st.Cluster.Status {
	case "disabled":
		return 1
	case "ready":
		return len(st.Cluster.Peers)
	}
	return 0
}

// metric returns the value of a metric without labels, or of the first
// series of it whose labels contain match; -1 when it is not there.
func (n *amNode) metric(t *testing.T, name, match string) float64 {
	t.Helper()
	resp, err := http.Get(n.URL + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, name+" ") && !(strings.HasPrefix(line, name+"{") && strings.Contains(line, match)) {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
			return v
		}
	}
	return -1
}

// notified is how many notifications the node has sent.
func (n *amNode) notified(t *testing.T) float64 {
	return n.metric(t, "alertmanager_notifications_total", `integration="webhook"`)
}

// waitGossiped waits until each node of a pair has heard from its peer
// of every notification the peer sent (a node gossips each entry of
// the notification log that is new to it once, and counts it): then a
// node may die without its peer sending what it sent again. A
// notification both nodes sent (hook.repeats) is counted by one of them
// only: the other's own entry was newer.
func waitGossiped(t *testing.T, nodes []*amNode, hook *amHook) {
	t.Helper()
	for i, n := range nodes {
		peer := nodes[1-i]
		n.proc.WaitFor(t, "the peer's notifications gossiped", func() bool {
			return n.metric(t, "alertmanager_nflog_gossip_messages_propagated_total", "")+float64(hook.repeats()) >= peer.notified(t)
		})
	}
}

// alertState returns the state Alertmanager gives the alerts about a
// monitor ("active", "suppressed", ...), with what silences them.
func (n *amNode) alertState(t *testing.T, monitor string) (state string, silencedBy []string) {
	t.Helper()
	resp, err := http.Get(n.URL + "/api/v2/alerts?filter=" + fmt.Sprintf("monitor=%q", monitor))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var alerts []struct {
		Status struct {
			State      string   `json:"state"`
			SilencedBy []string `json:"silencedBy"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 {
		return fmt.Sprintf("%d alerts", len(alerts)), nil
	}
	return alerts[0].Status.State, alerts[0].Status.SilencedBy
}

// readmeAlertLabels returns the labels README documents for alerts posted
// to Alertmanager, from the table under "The alert's labels".
func readmeAlertLabels(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "The alert's labels")
	if !ok {
		t.Fatal(`README has no "The alert's labels" table`)
	}
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\|")
	var labels []string
	started := false
	for _, line := range strings.Split(after, "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			labels = append(labels, m[1])
			started = true
		} else if started && !strings.HasPrefix(line, "|") {
			break
		}
	}
	return labels
}

// TestAlertmanagerHAPair runs two daemons with the same config and
// location (an HA pair) posting to a two-node Alertmanager cluster, and
// counts what reaches the receiver: one notification when an incident
// opens and one when it resolves, also after one daemon and then one
// Alertmanager node is killed; a silence made with amtool keeps an
// incident quiet; the labels are the ones README documents.
func TestAlertmanagerHAPair(t *testing.T) {
	t.Parallel()
	hook := newAMHook(t)
	nodes := startAlertmanagers(t, hook.URL, 2)
	shop, quiet, other, sentinel := newSwitchable(t), newSwitchable(t), newSwitchable(t), newSwitchable(t)
	names := map[*switchable]string{shop: "shop", quiet: "quiet", sentinel: "sentinel"}
	body := fmt.Sprintf(`
[[alert]]
name = "am"
kind = "alertmanager"
urls = [%q, %q]
labels = { team = "web" }
default = true

[[monitor]]
name = "shop"
url = %q
tags = ["web", "prod"]

[[monitor]]
name = "quiet"
url = %q

[[monitor]]
name = "steady"
url = %q

[[monitor]]
name = "sentinel"
url = %q
`, nodes[0].URL, nodes[1].URL, shop.URL, quiet.URL, other.URL, sentinel.URL)
	settings := "location = \"lab\"\nretries = 0\ninterval = \"10s\"\ntimeout = \"10s\""
	api := `external_url = "http://upbeat.test:9477"`
	a := startDaemon(t, "a", settings, api, body, fastAlerts)
	b := startDaemon(t, "b", settings, api, body, fastAlerts)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon a:\n%s\ndaemon b:\n%s", a.log, b.log)
			for _, n := range nodes {
				t.Logf("%s:\n%s", n.proc.Name, n.proc.Output())
			}
		}
	})

	// One incident: both daemons post it to both nodes; one notification
	// when it opens, one when it resolves, with the documented labels.
	live := []*daemon{a, b}
	// settled waits until every live daemon has delivered n messages of
	// event: both have posted what they saw before the test moves on, as
	// when an outage lasts longer than a check interval.
	settled := func(event string, n int) {
		t.Helper()
		for _, d := range live {
			waitFor(t, d.name+" posting "+event, func() bool {
				return strings.Count(d.log.String(), "event="+event+" ") >= n
			})
		}
	}
	// switchTo turns the targets down or up, and has every live daemon
	// check them at once rather than at its next interval.
	switchTo := func(down bool, targets ...*switchable) {
		t.Helper()
		for _, s := range targets {
			s.down.Store(down)
		}
		for _, d := range live {
			for _, s := range targets {
				d.checkNow(t, names[s])
			}
		}
	}
	incidents := 0
	incident := func(what string) {
		t.Helper()
		incidents++
		switchTo(true, shop)
		n := hook.expect(t, "firing", "shop")
		settled("down", incidents)
		switchTo(false, shop)
		hook.expect(t, "resolved", "shop")
		settled("up", incidents)
		if what != "" {
			return
		}
		got := n.Alerts[0]
		want := map[string]string{"alertname": "UpbeatMonitorDown", "monitor": "shop", "location": "lab",
			"severity": "critical", "tags": ",prod,web,", "team": "web"}
		if !maps.Equal(got.Labels, want) {
			t.Errorf("labels %v, want %v", got.Labels, want)
		}
		documented := readmeAlertLabels(t)
		keys := slices.Sorted(maps.Keys(got.Labels))
		keys = slices.DeleteFunc(keys, func(k string) bool { return k == "team" }) // the [[alert]]'s own
		if slices.Sort(documented); !slices.Equal(keys, documented) {
			t.Errorf("README documents the labels %v; alerts carry %v", documented, keys)
		}
		an := got.Annotations
		if an["code"] != "502" || an["class"] != "http_502" || an["meaning"] == "" || an["first_step"] == "" ||
			an["since"] == "" || !strings.HasPrefix(an["summary"], "shop is down: 502 Bad Gateway") {
			t.Errorf("annotations %v", an)
		}
		if got.GeneratorURL != "http://upbeat.test:9477/api/v1/monitors/shop" {
			t.Errorf("generatorURL %q", got.GeneratorURL)
		}
	}
	incident("")

	// A silence made with amtool keeps an incident quiet; the other
	// incident, opened at the same moment, is notified.
	amtool := testserver.Need(t, "prometheus-alertmanager", "amtool")
	testserver.Run(t, t.TempDir(), amtool, "silence", "add", "monitor=quiet", "--alertmanager.url="+nodes[0].URL,
		"--author=test", "--comment=planned work", "--duration=1h")
	switchTo(true, quiet, shop)
	incidents++
	hook.expect(t, "firing", "shop")
	settled("down", incidents)
	nodes[0].proc.WaitFor(t, "the quiet incident posted and silenced", func() bool {
		state, by := nodes[0].alertState(t, "quiet")
		return state == "suppressed" && len(by) == 1
	})
	switchTo(false, quiet, shop)
	hook.expect(t, "resolved", "shop")
	settled("up", incidents)

	// Either daemon may die: the other goes on alone.
	a.stop()
	live = live[1:]
	incident("after daemon a stopped")

	// Either Alertmanager may die: the daemon posts to the other, which
	// notifies alone. The one killed is the one that has been notifying.
	waitGossiped(t, nodes, hook)
	dead := nodes[0]
	if nodes[1].notified(t) > dead.notified(t) {
		dead = nodes[1]
	}
	if err := dead.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-dead.proc.Exited()
	incident("after the notifying alertmanager was killed")

	// A duplicate would come from the node that waits one peer timeout
	// after the first. The sentinel, a monitor down for the first time,
	// is a new group in Alertmanager: its notification comes a whole
	// group_wait after its post (an existing group's may come at its
	// next group_interval tick, sooner), so any duplicate of what came
	// before has arrived by then.
	switchTo(true, sentinel)
	hook.expect(t, "firing", "sentinel")
	var firing, resolved int
	for _, n := range hook.received() {
		if n.monitor() == "quiet" {
			t.Errorf("a silenced incident was notified: %+v", n)
		}
		switch n.Status {
		case "firing":
			firing++
		case "resolved":
			resolved++
		}
	}
	if firing != 5 || resolved != 4 {
		t.Errorf("%d firing and %d resolved notifications, want 5 and 4 (one each per incident, and the sentinel's)", firing, resolved)
	}
}
