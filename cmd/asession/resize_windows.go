package main

import "time"

// resizePoll is how often the console's size is asked: Windows sends a
// console program no signal when its window is resized (only a console
// input event, which would mean reading stdin, the command channel).
const resizePoll = 250 * time.Millisecond

// watchResize calls resized every resizePoll until stop; resized asks the
// size and does nothing when it is unchanged.
func watchResize(resized func()) (stop func()) {
	ticker := time.NewTicker(resizePoll)
	stopCalls := callOnEach(ticker.C, resized)
	return func() {
		ticker.Stop()
		stopCalls()
	}
}
