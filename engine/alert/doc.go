// Package alert tells people about incidents: once when a monitor goes
// down (after the engine's retries), once when it recovers, again every
// renotify interval while it stays down unless acknowledged, gently when it
// is degraded, never during maintenance, and never as a storm.
//
// The Dispatcher implements engine.Notifier. Notify and Observe only update
// in-memory state and queue messages; every channel has its own queue and
// worker, so a hung SMTP server or webhook delays nothing but its own
// messages. Failed deliveries are retried with exponential backoff, and
// every attempt is reported through Options.OnDelivery with secrets
// redacted. A message whose retries run out is kept, not dropped, and sent
// when the channel works again; a page made moot by its incident's end is
// told of in the resolve instead (kept.go).
//
// Monitors with depends_on page less. A failure while a monitor they
// depend on is down joins that monitor's incident: one message, "router
// is DOWN: …; 12 monitors behind it affected", names them, and they send
// nothing of their own. A failure while none of those is known to be
// down waits until they have been checked (the engine checks them at
// once; DependencyWait bounds the wait), then joins or pages on its own.
// A monitor still down when the incident it joined resolves pages on its
// own after a grace (ChildGrace). depends.go holds the policy's side of
// it, deptracker.go the tracker's.
//
// Storms are avoided three ways. Messages wait BurstWindow (5s) so that
// many monitors going down together make one message per channel. A
// monitor that flaps gets one message for the whole flap and one resolve
// when it settles: the first down pages at once, but the resolve of a
// short or bouncing incident is held for ResolveHold (2 minutes) to see
// whether the monitor stays up; if it goes down again meanwhile, the same
// incident goes on and nothing is sent. Once it changes FlapChanges times
// between down and up within FlapWindow, the incident is marked flapping
// (still without a message) and resolves, with one message saying how
// often it flapped, after FlapQuiet without a change. And when every
// monitor fails at once, the Connectivity check decides whether upbeat's
// own network is to blame, and one message says so.
//
// # Alertmanager
//
// The alertmanager channel (alertmanager.go) is not told of changes
// alone: Alertmanager forgets an alert nobody posts again, so a channel
// that is a Resender is sent every open incident routed to it every
// ResendEvery (resend.go), through its queue like any message; a resend
// waiting in the queue is replaced by the next. Its alerts carry labels
// that stay the same for the whole incident (AlertLabels), so that two
// daemons with the same config and location post the same alert and
// Alertmanager notifies once.
//
// # Parts
//
// A Dispatcher wires parts that each do one job: the policy keeps one
// state machine per monitor (tracker.go) and carries out what its
// transitions ask (policy.go); the burst window groups messages
// (burst.go); the courier routes them and runs one queue per channel with
// retries and backoff (courier.go, delivery.go, kept.go); the composer
// writes the words (message.go); a reload hands all of it to the next
// Dispatcher (reload.go, switch.go). Every timer runs on one clock, and a
// timer that was re-armed or stopped never acts (clock.go).
//
// # States
//
// Each monitor is in one phase. An incident is open in open, held and
// flapping. "Acknowledged" is not a phase but a mark on the open incident:
// it only silences reminders, and an acknowledged incident still holds its
// resolve, flaps and resolves like any other. Opening an incident and
// telling its people are one step (the first message is queued as the
// incident opens; grouping and retries are the delivery side's), so there
// is no phase between them; an incident taken over after a restart is
// open without a message.
//
//	phase     event                                   next      what is done
//	idle      down                                    open      send down (or flapping), arm reminder, report
//	idle      down in a maintenance window            deferred  nothing
//	idle      degraded / back from degraded           idle      send degraded / normal (at most one per DegradedEvery)
//	idle      up from down (restored at start)        idle      send up, report
//	idle      a failing result, status never told     suspect   nothing
//	suspect   a second failing result, no change      open      nothing sent: taken over; arm reminder
//	deferred  still down once the window ended        open      send down, arm reminder, report
//	deferred  up                                      idle      nothing
//	no incident  restore (open before a restart)      open      nothing sent; arm reminder
//	no incident  restore, in a window when stopped    open      as restore; reminders quiet until the monitor leaves the window
//	no incident  restore, paused when stopped         open      as restore; reminders quiet until the monitor is resumed
//	open      recovered, incident young or bouncing   held      arm hold (ResolveHold from coming back)
//	open      recovered otherwise                     idle      send up, report
//	open      FlapChanges changes in FlapWindow       flapping  arm settle, report flapping
//	open      reminder due                            open      send reminder unless acknowledged, paused or in maintenance
//	held      a failure                               open      stop hold: the same incident goes on
//	held      hold ends, still up                     idle      send up (its end: when it came back), report
//	held      reminder due                            held      nothing sent: the monitor is up
//	held      Close (upbeat stops gracefully)         idle      send up now, not lost with the process; report
//	flapping  Close, while up                        idle      send up now (saying how often it flapped); report
//	idle      late resolve (ResolveLate, at start)    idle      send up of an incident whose resolve died in a crash; report
//	flapping  a change                                flapping  settle later (FlapQuiet after the last change)
//	flapping  settles while up                        idle      send up (saying how often it flapped), report
//	flapping  settles while down                      open      nothing: its reminders go on
//	open, held, flapping  acknowledge                 same      stop reminders, report acknowledged
//	idle      down while a parent is down             joined    nothing sent: name it among those the parent's incident affects
//	idle      down, no parent known to be down        waiting   arm wait (the parents are checked at once)
//	waiting   a parent goes down                      joined    stop wait, as above
//	waiting   the parents are checked good, or the    open      send down (the incident starts when it failed), arm reminder, report
//	          wait runs out, still down
//	waiting   up                                      idle      nothing
//	joined    up                                      idle      nothing: it came back with its parent
//	joined    the parent's incident ends, still down  waiting   arm wait (the grace: ChildGrace, or one interval)
//
// With a Jury (other locations watching the same monitors), a monitor
// that goes down asks them before its incident opens:
//
//	phase     event                                   next      what is done
//	idle      down (or still down after a window)     asking    ask the jury
//	asking    the jury says page                      open      send down (with what the locations saw), arm reminder, report
//	asking    the jury says no (or another pages)     outvoted  log what the locations saw
//	asking    up, degraded, paused, maintenance       idle      nothing: nothing was opened, nothing resolves
//	outvoted  a failing result                        asking    ask the jury again
//	outvoted  up, degraded, paused, maintenance       idle      nothing
//	asking    a reload hands it over                  asking    ask again (the answer went to the old Dispatcher)
//
// TestEveryTransition in tracker_test.go holds the full table: every
// phase against every event, with what is done.
package alert
