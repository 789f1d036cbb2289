package exercises

// Exercise 2: halve a number.
//
// Half returns n divided by two, rounded toward zero.
//
// Hint: Go's integer division already rounds toward zero.
//
// Run: go test -run Ex2 ./01_demo/exercises/
func Half(n int) int {
	return 0
}
