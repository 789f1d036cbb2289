package exercises

// Exercise 1: greet someone.
//
// Greet returns "hello, " and the name.
//
// Hint: string concatenation with + is enough.
//
// Run: go test -run Ex1 ./02_more/exercises/
func Greet(name string) string {
	return ""
}
