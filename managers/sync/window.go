package sync

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is a recurring local-time window, "from" inclusive to "to"
// exclusive, written "HH:MM" ("24:00" ends at midnight). A window whose
// "to" is earlier than its "from" runs past midnight into the next day.
// Days, when set, restrict it to the days it starts on ("mon".."sun", or
// the full English names; case-insensitive).
type Window struct {
	From string   `json:"from"`
	To   string   `json:"to"`
	Days []string `json:"days,omitempty"`

	from, to int                   // minutes since midnight
	days     map[time.Weekday]bool // nil = every day
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// check parses and validates the window, keeping the parsed form.
func (w *Window) check() error {
	from, err := parseClock(w.From, false)
	if err != nil {
		return fmt.Errorf("from: %w", err)
	}
	to, err := parseClock(w.To, true)
	if err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if from == to {
		return fmt.Errorf("from and to are both %s: the window is empty; use \"00:00\" to \"24:00\" for a whole day", w.From)
	}
	w.from, w.to, w.days = from, to, nil
	for _, d := range w.Days {
		key := strings.ToLower(d)
		wd, ok := weekdays[key[:min(3, len(key))]]
		ok = ok && (len(key) == 3 || key == strings.ToLower(wd.String()))
		if !ok {
			return fmt.Errorf("days: %q is not a day; use mon, tue, wed, thu, fri, sat or sun", d)
		}
		if w.days == nil {
			w.days = map[time.Weekday]bool{}
		}
		w.days[wd] = true
	}
	return nil
}

// parseClock reads "HH:MM" as minutes since midnight; "24:00" only as an end.
func parseClock(s string, end bool) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day such as \"06:00\"", s)
	}
	if hh > 23 && !(end && hh == 24 && mm == 0) {
		return 0, fmt.Errorf("%q is not a time of day (00:00 to 23:59, or 24:00 as an end)", s)
	}
	return hh*60 + mm, nil
}

// contains reports whether t (in its own location) falls inside the window.
func (w *Window) contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.from < w.to {
		return m >= w.from && m < w.to && w.on(t.Weekday())
	}
	// Past midnight: the evening part belongs to today, the morning part to
	// the window that started yesterday.
	if m >= w.from {
		return w.on(t.Weekday())
	}
	return m < w.to && w.on((t.Weekday()+6)%7)
}

func (w *Window) on(d time.Weekday) bool { return w.days == nil || w.days[d] }

// inAny reports whether t is inside one of ws.
func inAny(ws []Window, t time.Time) bool {
	for i := range ws {
		if ws[i].contains(t) {
			return true
		}
	}
	return false
}

// schedule answers the time-window questions of the agent.
type schedule struct {
	polling  []Window
	downtime []Window
}

// mayPoll reports whether polling may run at t: inside the polling hours
// (or none configured) and outside every downtime window.
func (s schedule) mayPoll(t time.Time) bool {
	return (len(s.polling) == 0 || inAny(s.polling, t)) && !s.down(t)
}

// down reports whether t is inside a downtime window.
func (s schedule) down(t time.Time) bool { return inAny(s.downtime, t) }
