package fleet

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/internal/testserver"
)

// TestQuorumRuleInPromQL checks contrib/quorum.yml, the same rule as
// Tally for Prometheus users, with promtool: the file is valid, and its
// cases (contrib/quorum_test.yml) pass: no alert while one location of
// three sees a monitor down, one once two do; replicas of one location
// count once; maintenance and blackbox_exporter's series have no say.
func TestQuorumRuleInPromQL(t *testing.T) {
	promtool := testserver.Need(t, "prometheus", "promtool")
	dir, err := filepath.Abs("../contrib")
	if err != nil {
		t.Fatal(err)
	}
	if out := testserver.Run(t, dir, promtool, "check", "rules", "quorum.yml"); !strings.Contains(out, "SUCCESS: 2 rules found") {
		t.Errorf("promtool check rules:\n%s", out)
	}
	if out := testserver.Run(t, dir, promtool, "test", "rules", "quorum_test.yml"); !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules:\n%s", out)
	}
}

// The rule in PromQL and Tally agree on the cases the rule file tests.
func TestQuorumRuleAgreesWithTally(t *testing.T) {
	one := Tally{Here: "eu-west", Answers: []Answer{{Location: "us-east", View: Up}, {Location: "ap-south", View: Up}}}.Decide()
	two := Tally{Here: "eu-west", Answers: []Answer{{Location: "us-east", View: Down}, {Location: "ap-south", View: Up}}}.Decide()
	lone := Tally{Here: "eu-west", Answers: []Answer{{Location: "us-east", Why: "is in maintenance"}, {Location: "ap-south", Why: "is in maintenance"}}}.Decide()
	if one.Open || !two.Open || !lone.Open {
		t.Errorf("one of three %v, two of three %v, one of one reporting %v; want false, true, true", one.Open, two.Open, lone.Open)
	}
}
