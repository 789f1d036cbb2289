package course

import (
	"os"
	"strings"
)

// OverlayGODEBUG is the GODEBUG value to give a go command run with
// -overlay: the caller's own setting plus goindex=0. The go command's
// module index can hand an overlay build the import list of the file on
// disk instead of the overlaid one, so an overlaid file that imports a
// package the original does not fails with "could not import strings
// (open : no such file or directory)" (seen with Go 1.26 in a copy of the
// tree outside git). Reading the directory without the index avoids it.
func OverlayGODEBUG() string {
	return strings.TrimPrefix(os.Getenv("GODEBUG")+",goindex=0", ",")
}
