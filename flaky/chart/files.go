package chart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Named is a figure and the name of its file, without the .svg.
type Named struct {
	Name   string
	Figure Figure
}

// Write renders every figure into dir as Name.svg, creating dir if
// needed, and names each file it wrote on w, a line each ("wrote
// dir/name.svg"), so a demo's -svg run says what it made. It stops at the
// first figure it cannot render or write and returns that error; figures
// written before it stay written.
func Write(w io.Writer, dir string, figs []Named) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	for _, f := range figs {
		svg, err := f.Figure.SVG()
		if err != nil {
			return fmt.Errorf("figure %s: %w", f.Name, err)
		}
		file := filepath.Join(dir, f.Name+".svg")
		if err := os.WriteFile(file, svg, 0o644); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		fmt.Fprintln(w, "wrote", file)
	}
	return nil
}

// Stale compares every figure, rendered now, with the file of the same
// name in dir, byte for byte. It returns nil if all are identical, and
// otherwise an error naming each figure that differs, is missing, or
// cannot be rendered, and how to bring them up to date: regenerate with
// the command refresh (e.g. "make charts"). An .svg file in dir that no
// figure names is reported too.
func Stale(dir string, figs []Named, refresh string) error {
	var problems []string
	for _, f := range figs {
		path := filepath.Join(dir, f.Name+".svg")
		want, err := f.Figure.SVG()
		if err != nil {
			problems = append(problems, fmt.Sprintf("figure %s cannot be drawn: %v", path, err))
			continue
		}
		got, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, fmt.Sprintf("figure %s is missing: run %s", path, refresh))
		case err != nil:
			problems = append(problems, fmt.Sprintf("figure %s cannot be read: %v", path, err))
		case !bytes.Equal(got, want):
			problems = append(problems, fmt.Sprintf("figure %s is stale (the demo now draws it differently): run %s", path, refresh))
		}
	}
	// A file no figure draws any more would sit in the README unchecked.
	drawn := map[string]bool{}
	for _, f := range figs {
		drawn[f.Name+".svg"] = true
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	for _, file := range files {
		if !drawn[filepath.Base(file)] {
			problems = append(problems, fmt.Sprintf("figure %s is drawn by nothing: delete it, or draw it again", file))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "\n"))
}

// StaleDir is Stale for figures already written: it compares every .svg
// file in fresh, typically a temporary directory a demo has just drawn
// into with -svg, with the file of the same name in dir. It is an error
// if fresh holds no figure at all.
func StaleDir(dir, fresh, refresh string) error {
	files, err := filepath.Glob(filepath.Join(fresh, "*.svg"))
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	if len(files) == 0 {
		return fmt.Errorf("chart: no figure was drawn into %s", fresh)
	}
	var figs []Named
	for _, file := range files {
		svg, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		figs = append(figs, Named{strings.TrimSuffix(filepath.Base(file), ".svg"), drawn(svg)})
	}
	return Stale(dir, figs, refresh)
}

// drawn is a figure already rendered.
type drawn []byte

func (d drawn) SVG() ([]byte, error) { return d, nil }
