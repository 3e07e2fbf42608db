package sync

import (
	"testing"
	"time"
)

func TestWindows(t *testing.T) {
	at := func(day, hh, mm int) time.Time { return time.Date(2026, 1, 4+day, hh, mm, 0, 0, time.Local) } // day 0 = Sunday
	cases := []struct {
		w    Window
		t    time.Time
		want bool
	}{
		{Window{From: "06:00", To: "22:00"}, at(1, 6, 0), true},
		{Window{From: "06:00", To: "22:00"}, at(1, 21, 59), true},
		{Window{From: "06:00", To: "22:00"}, at(1, 22, 0), false},
		{Window{From: "06:00", To: "22:00"}, at(1, 5, 59), false},
		{Window{From: "22:00", To: "02:00"}, at(1, 23, 0), true},
		{Window{From: "22:00", To: "02:00"}, at(1, 1, 59), true},
		{Window{From: "22:00", To: "02:00"}, at(1, 2, 0), false},
		{Window{From: "00:00", To: "24:00"}, at(3, 23, 59), true},
		{Window{From: "22:00", To: "02:00", Days: []string{"Sat"}}, at(6, 23, 0), true}, // Saturday evening
		{Window{From: "22:00", To: "02:00", Days: []string{"Sat"}}, at(7, 1, 0), true},  // Sunday morning: Saturday's window
		{Window{From: "22:00", To: "02:00", Days: []string{"Sat"}}, at(1, 1, 0), false}, // Monday morning: Sunday's window
		{Window{From: "22:00", To: "02:00", Days: []string{"monday"}}, at(1, 23, 0), true},
		{Window{From: "22:00", To: "02:00", Days: []string{"monday"}}, at(2, 23, 0), false},
	}
	for i, tc := range cases {
		if err := tc.w.check(); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got := tc.w.contains(tc.t); got != tc.want {
			t.Errorf("case %d: %s-%s %v at %s: %v, want %v", i, tc.w.From, tc.w.To, tc.w.Days, tc.t.Format("Mon 15:04"), got, tc.want)
		}
	}
	s := schedule{polling: []Window{{From: "06:00", To: "22:00"}}, downtime: []Window{{From: "12:00", To: "13:00"}}}
	for i := range s.polling {
		_ = s.polling[i].check()
		_ = s.downtime[i].check()
	}
	if !s.mayPoll(at(1, 8, 0)) || s.mayPoll(at(1, 12, 30)) || s.mayPoll(at(1, 23, 0)) || !s.down(at(1, 12, 30)) {
		t.Fatal("schedule")
	}
	if !(schedule{}).mayPoll(at(1, 3, 0)) {
		t.Fatal("no polling hours means always")
	}
}
