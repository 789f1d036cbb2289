// Package exercises is a tiny lesson the runner's tests work on.
package exercises
