// Package solutions holds the solved exercises of every lesson, in
// directories that mirror the lessons: solutions/01_retry/exercises/
// answers 01_retry/exercises/, file for file.
//
// The tests are not repeated here. make test runs each lesson's exercise
// tests with the stubs swapped for these files (go test -overlay), and
// checks that the same tests fail on the stubs.
package solutions
