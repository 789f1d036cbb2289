package course

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// FillDocs fills in the titles, hints and run lines that a learner's stub
// no longer has (they rewrote its comment, or copied a solution over it)
// from the course's own stub, read from git by the blob id in
// exercises.sum. It costs one git process, and only when needed; what
// cannot be found stays empty.
func (c *Course) FillDocs() {
	type slot struct{ lesson, ex int }
	var need []slot
	var ids []string
	m, err := c.ReadManifest()
	if err != nil {
		return
	}
	for i, l := range c.Lessons {
		for j, e := range l.Exercises {
			if e.Title != "" && e.Hint != "" && e.Run != "" {
				continue
			}
			if id, ok := m[e.Stub]; ok {
				need = append(need, slot{i, j})
				ids = append(ids, id)
			}
		}
	}
	if len(need) == 0 {
		return
	}
	blobs := catBlobs(c.Root, ids)
	for k, s := range need {
		src, ok := blobs[ids[k]]
		if !ok {
			continue
		}
		e := &c.Lessons[s.lesson].Exercises[s.ex]
		title, hint, run := parseDoc(src)
		e.Title = cmpOr(e.Title, title)
		e.Hint = cmpOr(e.Hint, hint)
		e.Run = cmpOr(e.Run, run)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// catBlobs reads blobs from git's object store in one git cat-file
// --batch process. Blobs git does not have, or all of them when git is
// missing, are left out.
func catBlobs(root string, ids []string) map[string]string {
	out := map[string]string{}
	cmd := exec.Command("git", "cat-file", "--batch")
	cmd.Dir = root
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	data, err := cmd.Output()
	if err != nil {
		return out
	}
	r := bufio.NewReader(bytes.NewReader(data))
	for {
		header, err := r.ReadString('\n')
		if err != nil {
			return out
		}
		// "<id> blob <size>", or "<id> missing".
		f := strings.Fields(header)
		if len(f) != 3 || f[1] != "blob" {
			continue
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return out
		}
		content := make([]byte, size+1) // the content, then a newline
		if _, err := io.ReadFull(r, content); err != nil {
			return out
		}
		if BlobID(content[:size]) == f[0] {
			out[f[0]] = string(content[:size])
		}
	}
}
