package exercises

import "testing"

func TestEx1DoubleSmall(t *testing.T) {
	if got := Double(2); got != 4 {
		t.Errorf("Double(2) = %d, want 4: twice two is four", got)
	}
}

func TestEx1DoubleNegative(t *testing.T) {
	if got := Double(-3); got != -6 {
		t.Errorf("Double(-3) = %d, want -6: the sign stays", got)
	}
}
