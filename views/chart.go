package views

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Charts are drawn on the server as SVG (no charting in the browser). Each
// has a <title> and a description the SVG is labelled by, and the same
// figures as a table for screen readers and for anyone who wants the
// numbers (in a <details>).

// Chart geometry, in SVG user units; the SVG scales to its box.
const (
	chartW, chartH                             = 640, 180
	chartLeft, chartRight, chartTop, chartBase = 52, 8, 10, 28
)

// ChartSeries is one colour of a stacked bar chart: a status.
type ChartSeries struct {
	Name   string
	Class  string  // CSS class of its bars and key
	Values []int64 // one per bucket
}

// StackedBars is a bar chart of counts per bucket of time, each bar split
// by series.
type StackedBars struct {
	ID      string // unique on the page; the title and description ids derive from it
	Title   string
	Desc    string // one sentence: what the chart shows and its total
	Buckets []time.Time
	Layout  string // time layout of a bucket's label, e.g. "15:04"
	Every   int    // a label on the x axis every this many buckets
	Series  []ChartSeries
}

type chartRect struct {
	X, Y, W, H string
	Class      string
	Title      string
}

type chartTick struct {
	Pos   string
	Label string
	// Anchor is the label's text-anchor on a line chart's time axis: the
	// first and last labels sit inside the drawing, not across its edges.
	Anchor string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func (c StackedBars) total(i int) int64 {
	var t int64
	for _, s := range c.Series {
		t += s.Values[i]
	}
	return t
}

// ticks are the values the y axis names, from 0 to its top: the largest
// bar (at least 4) rounded up to a whole step.
func (c StackedBars) ticks() []int64 {
	var m int64
	for i := range c.Buckets {
		m = max(m, c.total(i))
	}
	return niceTicks(0, max(m, 4), chartMostTicks)
}

// chartMostTicks is about how many steps a y axis has at most (one more
// when both ends are rounded out).
const chartMostTicks = 5

// niceTicks are a y axis' values for the range lo..hi (whole numbers:
// counts, cents): steps of 1, 2 or 5 times a power of ten, at most about
// most of them, from the step's multiple at or below lo to the one at or
// above hi, so that every label is a round number.
func niceTicks(lo, hi, most int64) []int64 {
	if hi <= lo {
		hi = lo + 1
	}
	step := niceStep((hi - lo + most - 1) / most)
	first := lo / step * step
	if first > lo {
		first -= step // lo was negative: / rounded towards zero
	}
	var out []int64
	for v := first; ; v += step {
		out = append(out, v)
		if v >= hi {
			return out
		}
	}
}

// niceStep is the least of 1, 2 or 5 times a power of ten that is at
// least n (and at least 1).
func niceStep(n int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

func (c StackedBars) plot() (x0, y0, w, h float64) {
	return chartLeft, chartTop, chartW - chartLeft - chartRight, chartH - chartTop - chartBase
}

func (c StackedBars) rects() []chartRect {
	x0, y0, w, h := c.plot()
	n := len(c.Buckets)
	if n == 0 {
		return nil
	}
	ticks := c.ticks()
	top := float64(ticks[len(ticks)-1])
	bw := w / float64(n)
	var out []chartRect
	for i, b := range c.Buckets {
		base := y0 + h
		for _, s := range c.Series {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			bh := float64(v) / top * h
			base -= bh
			out = append(out, chartRect{X: f1(x0 + float64(i)*bw + bw*0.1), Y: f1(base), W: f1(bw * 0.8), H: f1(bh),
				Class: s.Class, Title: b.Format(c.Layout) + " " + s.Name + ": " + itoa64(v)})
		}
	}
	return out
}

func (c StackedBars) yTicks() []chartTick {
	_, y0, _, h := c.plot()
	ticks := c.ticks()
	top := float64(ticks[len(ticks)-1])
	var out []chartTick
	for _, v := range ticks {
		out = append(out, chartTick{Pos: f1(y0 + h - float64(v)/top*h), Label: itoa64(v)})
	}
	return out
}

func (c StackedBars) xTicks() []chartTick {
	x0, _, w, _ := c.plot()
	n := len(c.Buckets)
	var out []chartTick
	every := max(c.Every, 1)
	for i := 0; i < n; i += every {
		out = append(out, chartTick{Pos: f1(x0 + (float64(i)+0.5)*w/float64(n)), Label: c.Buckets[i].Format(c.Layout)})
	}
	return out
}

func (c StackedBars) viewBox() string { return "0 0 " + itoa(chartW) + " " + itoa(chartH) }

func itoa(n int) string { return strconv.Itoa(n) }

// LinePoint is a point of a line chart.
type LinePoint struct {
	At    time.Time
	Value int64
}

// LineChart is a value over time, such as a card's balance.
type LineChart struct {
	ID     string
	Title  string
	Desc   string
	Points []LinePoint // oldest first
	// Format writes a value for the axis and the table.
	Format func(int64) string
}

// lineScale places a line chart's points in the drawing: the value range
// (from 0 or below) and the time range. It is worked out once per drawing,
// not per point: a card's chart has 500.
type lineScale struct {
	// lo and hi are the lowest and highest of ticks, the values the y
	// axis names.
	lo, hi int64
	ticks  []int64
	t0, t1 time.Time
	// left is where the drawing starts: past the widest value label.
	left float64
}

// chartCharWidth is about how wide a character of the axis labels (11px)
// is, in SVG units.
const chartCharWidth = 6.5

func (c LineChart) scale() lineScale {
	s := lineScale{lo: c.Points[0].Value, hi: c.Points[0].Value, t0: c.Points[0].At, t1: c.Points[len(c.Points)-1].At}
	for _, p := range c.Points {
		s.lo, s.hi = min(s.lo, p.Value), max(s.hi, p.Value)
	}
	s.ticks = niceTicks(min(s.lo, 0), s.hi, chartMostTicks)
	s.lo, s.hi = s.ticks[0], s.ticks[len(s.ticks)-1]
	s.left = chartLeft
	for _, v := range s.ticks {
		s.left = max(s.left, 14+chartCharWidth*float64(utf8.RuneCountInString(c.Format(v))))
	}
	return s
}

// axisX and labelX are where the y axis and its labels' right edges sit.
func (c LineChart) axisX() string  { return f1(c.scale().left) }
func (c LineChart) labelX() string { return f1(c.scale().left - 6) }

func (s lineScale) xy(p LinePoint) (float64, float64) {
	x0, y0, w, h := s.left, float64(chartTop), float64(chartW)-s.left-chartRight, float64(chartH-chartTop-chartBase)
	span := s.t1.Sub(s.t0)
	fx := 0.5
	if span > 0 {
		fx = float64(p.At.Sub(s.t0)) / float64(span)
	}
	return x0 + fx*w, y0 + h - float64(p.Value-s.lo)/float64(s.hi-s.lo)*h
}

// polyline is the line as SVG points: each movement steps the balance.
func (c LineChart) polyline() string {
	s := c.scale()
	var b []byte
	var py string
	for i, p := range c.Points {
		x, y := s.xy(p)
		fx, fy := f1(x), f1(y)
		if i > 0 {
			b = append(b, (fx + "," + py + " ")...)
		}
		b = append(b, (fx + "," + fy + " ")...)
		py = fy
	}
	return string(b)
}

func (c LineChart) yTicks() []chartTick {
	s := c.scale()
	var out []chartTick
	for _, v := range s.ticks {
		_, y := s.xy(LinePoint{At: c.Points[0].At, Value: v})
		out = append(out, chartTick{Pos: f1(y), Label: c.Format(v)})
	}
	return out
}

// chartYearSpan is about 11 months: a time axis longer than this names
// the year, as does one that crosses into another.
const chartYearSpan = 335 * 24 * time.Hour

func (c LineChart) xTicks() []chartTick {
	s := c.scale()
	t0, t1 := s.t0, s.t1
	day := "2 Jan"
	if t0.UTC().Year() != t1.UTC().Year() || t1.Sub(t0) > chartYearSpan {
		day = "2 Jan 2006"
	}
	layout := day + " 15:04"
	if t1.Sub(t0) > 72*time.Hour {
		layout = day
	}
	if t1.Equal(t0) {
		x, _ := s.xy(c.Points[0])
		return []chartTick{{Pos: f1(x), Label: t0.UTC().Format(layout), Anchor: "middle"}}
	}
	x0, _ := s.xy(c.Points[0])
	x1, _ := s.xy(c.Points[len(c.Points)-1])
	return []chartTick{{Pos: f1(x0), Label: t0.UTC().Format(layout), Anchor: "start"},
		{Pos: f1(x1), Label: t1.UTC().Format(layout), Anchor: "end"}}
}
