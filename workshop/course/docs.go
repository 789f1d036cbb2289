package course

// ParseDoc reads the parts of an exercise stub's doc comment that the
// runner shows: the title from "// Exercise k: title.", the "// Hint:"
// paragraph and the "// Run:" command, each "" when missing. The runner
// uses it to read the course's own stub when a learner's file has lost
// its comment (a solution copied over it, say).
func ParseDoc(src string) (title, hint, run string) { return parseDoc(src) }
