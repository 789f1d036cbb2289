package exercises

import "testing"

func TestEx1Greet(t *testing.T) {
	if got := Greet("Ada"); got != "hello, Ada" {
		t.Errorf("Greet(%q) = %q, want %q", "Ada", got, "hello, Ada")
	}
}
