package exercises

// Exercise 1: double a number.
//
// Double returns twice n.
//
// Hint: multiply by two, not by three.
//
// Run: go test -run Ex1 ./01_demo/exercises/
func Double(n int) int {
	return 2 * n
}
