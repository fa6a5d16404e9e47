package fleet

import "testing"

func TestTallyDecide(t *testing.T) {
	up := func(loc string) Answer { return Answer{Location: loc, View: Up} }
	down := func(loc string) Answer { return Answer{Location: loc, View: Down} }
	silent := func(loc, why string) Answer { return Answer{Location: loc, View: Unknown, Why: why} }
	for _, tc := range []struct {
		name              string
		tally             Tally
		open, page, alone bool
		text              string
	}{
		{"no peers", Tally{Here: "eu-west"}, true, true, false, "down from eu-west"},
		{"down here only", Tally{Here: "eu-west", Answers: []Answer{up("us-east"), up("ap-south")}},
			false, false, false, "down from 1 of 3 locations (eu-west); up from ap-south, us-east: fewer than the quorum of 2"},
		{"two of three, this one pages", Tally{Here: "eu-west", Answers: []Answer{down("us-east"), up("ap-south")}},
			true, true, false, "down from 2 of 3 locations (eu-west, us-east); up from ap-south"},
		{"two of three, the other pages", Tally{Here: "us-east", Answers: []Answer{down("eu-west"), up("ap-south")}},
			true, false, false, "down from 2 of 3 locations (eu-west, us-east); up from ap-south: eu-west pages for it"},
		{"a peer hangs", Tally{Here: "eu-west", Answers: []Answer{down("us-east"), silent("ap-south", "")}},
			true, true, false, "down from 2 of 3 locations (eu-west, us-east); ap-south did not answer in time"},
		{"one answers up, one hangs", Tally{Here: "eu-west", Answers: []Answer{up("us-east"), silent("ap-south", "")}},
			false, false, false, "down from 1 of 3 locations (eu-west); up from us-east; ap-south did not answer in time: fewer than the quorum of 2"},
		{"nobody answers", Tally{Here: "eu-west", Answers: []Answer{silent("us-east", ""), silent("ap-south", "does not check it")}},
			true, true, true, "down from eu-west; no other location answered (ap-south does not check it, us-east did not answer in time): decided alone"},
		{"quorum of all three", Tally{Here: "eu-west", Quorum: 3, Answers: []Answer{down("us-east"), up("ap-south")}},
			false, false, false, "down from 2 of 3 locations (eu-west, us-east); up from ap-south: fewer than the quorum of 3"},
		{"quorum counts those that answered", Tally{Here: "eu-west", Quorum: 3, Answers: []Answer{down("us-east"), silent("ap-south", "")}},
			true, true, false, "down from 2 of 3 locations (eu-west, us-east); ap-south did not answer in time"},
		{"a quorum of one", Tally{Here: "us-east", Quorum: 1, Answers: []Answer{up("eu-west")}},
			true, true, false, "down from 1 of 2 locations (us-east); up from eu-west"},
		{"a replica of this location", Tally{Here: "eu-west", Answers: []Answer{up("eu-west"), down("us-east"), up("ap-south")}},
			true, true, false, "down from 2 of 3 locations (eu-west, us-east); up from ap-south"},
		{"replicas elsewhere disagree", Tally{Here: "eu-west", Answers: []Answer{up("us-east"), down("us-east"), up("ap-south")}},
			true, true, false, "down from 2 of 3 locations (eu-west, us-east); up from ap-south"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.tally.Decide()
			if d.Open != tc.open || d.Page != tc.page || d.Alone != tc.alone || d.Text != tc.text {
				t.Errorf("got open=%v page=%v alone=%v %q\nwant open=%v page=%v alone=%v %q",
					d.Open, d.Page, d.Alone, d.Text, tc.open, tc.page, tc.alone, tc.text)
			}
		})
	}
}
