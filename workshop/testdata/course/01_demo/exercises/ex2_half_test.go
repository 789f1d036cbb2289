package exercises

import "testing"

func TestEx2Half(t *testing.T) {
	if got := Half(9); got != 4 {
		t.Errorf("Half(9) = %d, want 4: rounded toward zero", got)
	}
}
