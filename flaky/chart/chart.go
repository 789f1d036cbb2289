// Package chart draws the demos' figures as SVG, all in one look: a
// title, axis labels with units, a legend beside the plot, a solid white
// background (readable on a dark page too), and lines told apart by dash
// pattern and marker as well as by colour, so a figure still reads in
// grey on a projector or to a reader who does not see colour well.
//
// A figure is a Plot (lines over a numeric x axis, with optional shaded
// bands) or Bars (one value per named category). Rendering is
// deterministic: the same figure gives the same bytes on every run and
// every machine, with no timestamp inside, which is what lets a test
// compare a committed figure with the one a demo draws now (see Stale).
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	stdfont "golang.org/x/image/font"
)

// The size of every figure: 16:9, which a README shows at full width
// and a projector fills.
const (
	width  = 8 * vg.Inch
	height = 4.5 * vg.Inch
)

// ErrInvalid is returned, wrapped, for a figure that cannot be drawn as
// given: no title, no data, or series of unequal lengths.
var ErrInvalid = errors.New("chart: invalid figure")

// Figure is anything this package can draw: a Plot or Bars.
type Figure interface {
	// SVG renders the figure. The same figure always gives the same
	// bytes. It fails, wrapping ErrInvalid, on a figure it cannot draw.
	SVG() ([]byte, error)
}

// Line is one series of a Plot. Point i is (X[i], Y[i]); X and Y must
// have the same, non-zero length.
type Line struct {
	// Name is the series' entry in the legend.
	Name string
	X, Y []float64
	// Step draws the series as a staircase, for counts per interval: Y[i]
	// holds from X[i] to X[i+1], and the last value for as long again as
	// the interval before it.
	Step bool
}

// Span is a stretch of the x axis, From to To.
type Span struct{ From, To float64 }

// Band shades spans of the x axis over the full height of a Plot, to
// show when something held (a breaker open, a service down). Bands are
// drawn behind the lines, each in a lighter shade than the one before.
type Band struct {
	// Name is the band's entry in the legend.
	Name  string
	Spans []Span
	// Strip draws the band as a dark strip along the top edge instead,
	// over the other bands, so that it can overlap one of them (a
	// service down while a breaker is open) and both stay visible.
	Strip bool
}

// Plot is a figure of lines over a numeric x axis.
type Plot struct {
	Title  string
	XLabel string // with its unit, e.g. "time (ms)"
	YLabel string // with its unit, e.g. "calls per 100 ms"
	Lines  []Line
	Bands  []Band
	// YMax, if positive, fixes the top of the y axis, so that figures
	// meant to be compared share a scale. By default the axis fits the
	// data. Both axes start at 0 unless some value is negative.
	YMax float64
}

// Bars is a figure of one bar per category, each labelled with its value.
type Bars struct {
	Title      string
	YLabel     string   // with its unit, e.g. "calls"
	Categories []string // one bar each, left to right
	Values     []float64
}

// style is how the i-th line is drawn. Colours are the Okabe-Ito
// palette, which stays distinct to the common colour-vision deficiencies;
// the dash pattern and the marker tell lines apart even in grey.
type style struct {
	color  color.Color
	dashes []vg.Length
	glyph  draw.GlyphDrawer
}

var styles = []style{
	{rgb(0, 114, 178), nil, draw.CircleGlyph{}},
	{rgb(213, 94, 0), []vg.Length{vg.Points(6), vg.Points(3)}, draw.SquareGlyph{}},
	{rgb(0, 158, 115), []vg.Length{vg.Points(1.5), vg.Points(2.5)}, draw.TriangleGlyph{}},
	{rgb(204, 121, 167), []vg.Length{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}, draw.CrossGlyph{}},
	{rgb(230, 159, 0), []vg.Length{vg.Points(3), vg.Points(3)}, draw.PyramidGlyph{}},
	{rgb(86, 180, 233), []vg.Length{vg.Points(10), vg.Points(4)}, draw.RingGlyph{}},
	{rgb(0, 0, 0), []vg.Length{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2)}, draw.PlusGlyph{}},
}

// bandShades are the fills of the bands, darker to lighter, so that two
// bands differ in lightness and not only in hue.
var bandShades = []color.Color{
	rgb(240, 150, 150), rgb(250, 215, 160), rgb(200, 220, 240), rgb(225, 225, 225),
}

// stripShades are the fills of strips: darker than any band.
var stripShades = []color.Color{rgb(110, 110, 110), rgb(60, 60, 60)}

// maxMarkers is the most points a line may have and still get a marker
// on each: beyond it the markers would merge into a smear.
const maxMarkers = 40

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 255} }

// The fonts: Liberation Sans has the metrics of Arial, so the SVG, which
// names the font rather than embedding it, lays out the same wherever
// either is installed.
var (
	regular = font.Font{Typeface: "Liberation", Variant: "Sans"}
	bold    = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: stdfont.WeightBold}
)

// newPlot returns a gonum plot with the common look and no data.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.White
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(bold, 14)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(regular, 12)
		a.Tick.Label.Font = font.From(regular, 10)
		a.Tick.Marker = shortTicks{}
	}
	p.Add(&plotter.Grid{
		Vertical:   draw.LineStyle{Color: rgb(230, 230, 230), Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: rgb(230, 230, 230), Width: vg.Points(0.5)},
	})
	return p
}

// shortTicks are gonum's default ticks, labelled with as few digits as
// each value needs: 50, not 50.00.
type shortTicks struct{}

// Ticks implements plot.Ticker.
func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
	}
	return ticks
}

// legendEntry is a name and what stands for it in the legend.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// SVG renders the plot. It fails, wrapping ErrInvalid, if the plot has no
// title, no line, or a line whose X and Y differ in length or are empty.
func (f Plot) SVG() ([]byte, error) {
	if f.Title == "" || len(f.Lines) == 0 {
		return nil, fmt.Errorf("%w: a plot needs a title and at least one line", ErrInvalid)
	}
	p := newPlot(f.Title, f.XLabel, f.YLabel)
	var legend []legendEntry
	xMin, xMax := 0.0, math.Inf(-1)
	yMin, yMax := 0.0, math.Inf(-1)
	for _, l := range f.Lines {
		if len(l.X) == 0 || len(l.X) != len(l.Y) {
			return nil, fmt.Errorf("%w: line %q has %d x and %d y values", ErrInvalid, l.Name, len(l.X), len(l.Y))
		}
		xMin, xMax = min(xMin, slices.Min(l.X)), max(xMax, slices.Max(l.X))
		yMin, yMax = min(yMin, slices.Min(l.Y)), max(yMax, slices.Max(l.Y))
	}
	if f.YMax > 0 {
		yMax = f.YMax
	}

	// Bands first, so that the lines are drawn over them, and strips over
	// the full-height bands.
	shade, strip := 0, 0
	for _, strips := range []bool{false, true} {
		for _, b := range f.Bands {
			if b.Strip != strips {
				continue
			}
			bp := &bandPlotter{spans: b.Spans, strip: b.Strip}
			if b.Strip {
				bp.color = stripShades[strip%len(stripShades)]
				strip++
			} else {
				bp.color = bandShades[shade%len(bandShades)]
				shade++
			}
			p.Add(bp)
			legend = append(legend, legendEntry{b.Name, []plot.Thumbnailer{bp}})
		}
	}
	for i, l := range f.Lines {
		s := styles[i%len(styles)]
		pts := make(plotter.XYs, len(l.X))
		for j := range l.X {
			pts[j] = plotter.XY{X: l.X[j], Y: l.Y[j]}
		}
		if l.Step && len(pts) > 1 {
			// The last value holds for one more interval.
			last := pts[len(pts)-1]
			last.X += last.X - pts[len(pts)-2].X
			pts = append(pts, last)
			xMax = max(xMax, last.X)
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("%w: line %q: %w", ErrInvalid, l.Name, err)
		}
		line.Color = s.color
		line.Width = vg.Points(1.8)
		line.Dashes = s.dashes
		if l.Step {
			line.StepStyle = plotter.PostStep
		}
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if !l.Step && len(pts) <= maxMarkers {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, fmt.Errorf("%w: line %q: %w", ErrInvalid, l.Name, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: vg.Points(3), Shape: s.glyph}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		legend = append(legend, legendEntry{l.Name, thumbs})
	}
	p.X.Min, p.X.Max = xMin, xMax
	p.Y.Min, p.Y.Max = yMin, yMax*1.05
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min + 1
	}
	return render(p, legend)
}

// SVG renders the bars. It fails, wrapping ErrInvalid, if they have no
// title, no category, or not one value per category.
func (f Bars) SVG() ([]byte, error) {
	if f.Title == "" || len(f.Categories) == 0 || len(f.Categories) != len(f.Values) {
		return nil, fmt.Errorf("%w: bars need a title and one value per category (%d categories, %d values)",
			ErrInvalid, len(f.Categories), len(f.Values))
	}
	p := newPlot(f.Title, "", f.YLabel)
	// Bars take about half their slot, up to a width that still looks
	// like a bar when there are only two.
	barWidth := min(vg.Points(80), 0.5*(width-vg.Inch)/vg.Length(len(f.Values)))
	bars, err := plotter.NewBarChart(plotter.Values(f.Values), barWidth)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	bars.Color = styles[0].color
	bars.LineStyle.Width = 0
	p.Add(bars)
	labels := plotter.XYLabels{}
	for i, v := range f.Values {
		labels.XYs = append(labels.XYs, plotter.XY{X: float64(i), Y: v})
		labels.Labels = append(labels.Labels, fmt.Sprintf("%.4g", v))
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(regular, 10)
		l.TextStyle[i].XAlign = draw.XCenter
	}
	l.Offset = vg.Point{Y: vg.Points(3)}
	p.Add(l)
	p.NominalX(f.Categories...)
	p.X.Tick.Label.Font = font.From(regular, 10)
	p.X.Min, p.X.Max = -0.5, float64(len(f.Values))-0.5
	p.Y.Min = 0
	p.Y.Max = max(slices.Max(f.Values)*1.15, 1)
	return render(p, nil)
}

// render draws p on a white canvas, with the legend, if any, in a column
// of its own on the right, where it can never hide a line, and returns
// the SVG.
func render(p *plot.Plot, entries []legendEntry) ([]byte, error) {
	canvas := vgsvg.New(width, height)
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	pad := vg.Points(8)
	dc = draw.Crop(dc, pad, -pad, pad, -pad)
	// The title is centred over the whole figure, legend included, so a
	// long one still fits; plot and legend start below it.
	title := p.Title.TextStyle
	dc.FillText(title, vg.Point{X: dc.Center().X, Y: dc.Max.Y + title.FontExtents().Descent}, p.Title.Text)
	dc = draw.Crop(dc, 0, 0, 0, -(title.Rectangle(p.Title.Text).Size().Y + p.Title.Padding))
	p.Title.Text = ""
	if len(entries) > 0 {
		l := plot.NewLegend()
		l.TextStyle.Font = font.From(regular, 11)
		l.Top, l.Left = true, true
		l.Padding = vg.Points(4)
		l.ThumbnailWidth = vg.Points(28)
		for _, e := range entries {
			l.Add(e.name, e.thumbs...)
		}
		// A reader whose browser lacks both Liberation Sans and Arial
		// gets a wider font: leave it room.
		lw := l.Rectangle(dc).Size().X * 1.15
		p.Draw(draw.Crop(dc, 0, -(lw + 2*pad), 0, 0))
		l.Draw(draw.Crop(dc, dc.Size().X-lw, 0, 0, 0))
	} else {
		p.Draw(dc)
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return withFallbackFonts(buf.Bytes()), nil
}

// withFallbackFonts lets a reader without Liberation Sans see Arial or
// another sans-serif font, instead of the browser's default serif one.
func withFallbackFonts(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

// bandPlotter shades spans of the x axis over the plot's full height,
// or as a strip along its top.
type bandPlotter struct {
	spans []Span
	color color.Color
	strip bool
}

// stripHeight is the height of a strip band.
const stripHeight = 6 // points

// Plot implements plot.Plotter.
func (b *bandPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	c.SetColor(b.color)
	// Spans that touch are drawn as one, so no hairline seam shows where
	// one ends and the next begins.
	var spans []Span
	for _, s := range b.spans {
		if n := len(spans); n > 0 && s.From <= spans[n-1].To && s.From >= spans[n-1].From {
			spans[n-1].To = max(spans[n-1].To, s.To)
			continue
		}
		spans = append(spans, s)
	}
	for _, s := range spans {
		from, to := max(s.From, p.X.Min), min(s.To, p.X.Max)
		if to <= from {
			continue
		}
		var path vg.Path
		x0, x1 := trX(from), trX(to)
		bottom := c.Min.Y
		if b.strip {
			bottom = c.Max.Y - vg.Points(stripHeight)
		}
		path.Move(vg.Point{X: x0, Y: bottom})
		path.Line(vg.Point{X: x1, Y: bottom})
		path.Line(vg.Point{X: x1, Y: c.Max.Y})
		path.Line(vg.Point{X: x0, Y: c.Max.Y})
		path.Close()
		c.Fill(path)
	}
}

// Thumbnail implements plot.Thumbnailer: a swatch of the band's shade,
// thin for a strip, as it looks in the plot.
func (b *bandPlotter) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.color)
	r := c.Rectangle
	if b.strip {
		mid := (r.Min.Y + r.Max.Y) / 2
		r.Min.Y, r.Max.Y = mid-vg.Points(stripHeight)/2, mid+vg.Points(stripHeight)/2
	}
	c.Fill(r.Path())
}
