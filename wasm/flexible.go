//go:build js && wasm

package main

// Flexible sync's subscription set for tether.js (SyncSession.subscriptions).

import (
	"syscall/js"

	"github.com/tethersync/tether/internal/boundary"
)

func registerFlexible(x js.Value) {
	exportAsync(x, "sessionSubscriptionsUpdate", 2, func(a []js.Value) (any, error) {
		return nil, boundary.SessionSubscriptionsUpdate(handle(a[0]), bytesOf(a[1]))
	})
	exportSync(x, "sessionSubscriptions", 1, func(a []js.Value) (any, error) {
		return str(boundary.SessionSubscriptionsJSON(handle(a[0])))
	})
	exportAsync(x, "sessionWaitForSubscriptions", 2, func(a []js.Value) (any, error) {
		return boundary.SessionWaitForSubscriptions(handle(a[0]), int64(a[1].Float()))
	})
	exportSync(x, "sessionAddSubscriptionsListener", 2, func(a []js.Value) (any, error) {
		return num(boundary.SessionAddSubscriptionsListener(handle(a[0]), callback(a[1])))
	})
}
