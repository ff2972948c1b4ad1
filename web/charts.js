// charts.js: wraps Apache ECharts, tree-shaken to line and bar charts, the grid and tooltips, and the SVG
// renderer only (dist/kpilens.html has a 400 KB gzipped budget; measured savings, gzipped): the page draws
// SVG, exports it as it is and rasterises it into a canvas for PNG (the canvas renderer: 4.5 KB); a chart
// of several series gets a legend in HTML above it, and one drawn into its exported SVG (ECharts' legend:
// 3.9 KB); the container's role="img" and aria-label describe the chart, set by the views (ECharts' aria
// component, 1.2 KB, would label an element inside it, which role="img" hides anyway). The build replaces
// what echarts/core imports but these charts never use (decals, the HTML tooltip, the Chinese locale, the
// dark theme, the loading animation: scripts/build-web.mjs ECHARTS_STUBS, 8.9 KB). Columnar data in,
// from the report. Tooltips render as rich text inside the chart and zrender writes text as text nodes,
// so no string from a file ever reaches innerHTML; the page puts a data table beside every chart.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { el, clear } from './dom.js';
import { escapeXml } from './export.js';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, SVGRenderer]);

function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text', '#1b1f24'),
    muted: read('--muted', '#5b6470'),
    grid: read('--grid', '#d9dde3'),
    background: read('--surface', '#ffffff'),
    series: [read('--chart-1', '#2563eb'), read('--chart-2', '#16a34a'), read('--chart-3', '#dc2626'), read('--chart-4', '#d97706')],
    good: read('--good', '#15803d'),
    bad: read('--bad', '#b91c1c'),
  };
}

/** The colours charts use, by name (`series` by index): for callers that colour bars by meaning. */
export function chartColors() {
  return palette();
}

function baseOption(colors) {
  return {
    color: colors.series,
    backgroundColor: 'transparent',
    textStyle: { color: colors.text },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
    animation: false,
  };
}

function axisStyle(colors) {
  return {
    axisLine: { lineStyle: { color: colors.grid } },
    axisLabel: { color: colors.muted, hideOverlap: true },
    splitLine: { lineStyle: { color: colors.grid } },
  };
}

/** A line chart of one figure over periods. */
export function trendOption({ labels, values, name, unitSuffix }) {
  return linesOption({ labels, lines: [{ name, values }], unitSuffix });
}

/** Lines over periods, one per {name, values}; a legend when there are several. */
export function linesOption({ labels, lines, unitSuffix }) {
  const colors = palette();
  return {
    ...baseOption(colors),
    xAxis: { type: 'category', data: labels, ...axisStyle(colors) },
    yAxis: { type: 'value', scale: true, name: unitSuffix, nameTextStyle: { color: colors.muted }, ...axisStyle(colors) },
    series: lines.map(({ name, values }) => ({ type: 'line', name, data: values, connectNulls: false, showSymbol: values.length < 60 })),
  };
}

/**
 * A waterfall: bars that float from `bases[i]` by `heights[i]` (both ≥ 0, placed by the caller from the
 * report's figures), coloured per bar, each labelled with `texts[i]` (the signed figure as formatted).
 * `narrow` (a small screen) slants the axis labels and shrinks the bar labels. When the movements are small
 * next to the totals, the value axis starts above 0 (the total bars are cut at its foot), so the steps can
 * be seen.
 */
export function waterfallOption({ labels, bases, heights, barColors, texts, narrow }) {
  const colors = palette();
  const levels = bases.slice(1, -1).flatMap((base, i) => [base, base + heights[i + 1]]).concat(heights[0], heights.at(-1));
  const low = Math.min(...levels);
  const span = Math.max(...levels) - low;
  let floor = 0;
  if (span > 0 && low > 2 * span) {
    const step = 10 ** Math.floor(Math.log10(span));
    floor = Math.floor((low - span) / step) * step;
  }
  return {
    ...baseOption(colors),
    tooltip: { show: false, renderMode: 'richText' },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, ...axisStyle(colors), axisLabel: { color: colors.muted, interval: 0, rotate: narrow ? 40 : 0 } },
    yAxis: { type: 'value', min: floor, ...axisStyle(colors) },
    series: [
      { type: 'bar', stack: 'w', silent: true, itemStyle: { color: 'transparent' }, data: bases },
      {
        type: 'bar', stack: 'w', name: 'MRR', data: heights.map((value, i) => ({ value, itemStyle: { color: barColors[i] } })),
        label: { show: true, position: 'top', color: colors.text, fontSize: narrow ? 10 : 12, formatter: (p) => texts[p.dataIndex] },
      },
    ],
  };
}

/** Horizontal bars, one per segment. */
export function barOption({ categories, values, name, unitSuffix }) {
  const colors = palette();
  return {
    ...baseOption(colors),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true },
    xAxis: { type: 'value', name: unitSuffix, nameTextStyle: { color: colors.muted }, ...axisStyle(colors) },
    yAxis: { type: 'category', data: categories, inverse: true, ...axisStyle(colors), axisLabel: { color: colors.muted, width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', name, data: values }],
  };
}

/**
 * Stacked bars: one series per part (e.g. promoters, passives, detractors) over categories; `colors` (one
 * per part) defaults to good / muted / bad. Negative parts stack downwards from 0.
 */
export function stackedOption({ categories, parts, colors: partColors }) {
  const colors = palette();
  return {
    ...baseOption(colors),
    color: partColors ?? [colors.series[1], colors.muted, colors.series[2]],
    xAxis: { type: 'category', data: categories, ...axisStyle(colors) },
    yAxis: { type: 'value', ...axisStyle(colors) },
    series: parts.map((part) => ({ type: 'bar', stack: 'all', name: part.name, data: part.values })),
  };
}

/** Vertical bars for a distribution (bucket labels → counts), optionally one colour per bar. */
export function histogramOption({ labels, counts, name, barColors }) {
  const colors = palette();
  return {
    ...baseOption(colors),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true },
    xAxis: { type: 'category', data: labels, ...axisStyle(colors) },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle(colors) }, // counts: no 1.5 customers on the axis
    series: [{
      type: 'bar', name, barCategoryGap: '10%',
      data: barColors ? counts.map((value, i) => ({ value, itemStyle: { color: barColors[i] } })) : counts,
    }],
  };
}

// The series a legend lists: the named ones, when there are several (a waterfall's invisible base is silent).
function legendOf(option) {
  const series = (option.series ?? []).filter((s) => s.name && !s.silent);
  return series.length > 1 ? series.map((s, i) => ({ name: s.name, color: option.color[i % option.color.length] })) : [];
}

// The legend drawn into an exported SVG, in the room the export leaves above the grid.
function legendSvg(items, colors) {
  let x = 8;
  return items.map(({ name, color }) => {
    const item = `<rect x="${x}" y="6" width="12" height="12" rx="2" fill="${escapeXml(color)}"/>` +
      `<text x="${x + 16}" y="16" font-family="sans-serif" font-size="12" fill="${escapeXml(colors.text)}">${escapeXml(name)}</text>`;
    x += 30 + String(name).length * 7;
    return item;
  }).join('');
}

/**
 * Draws one chart of each kind the Support view shows (lines, bars, stacked bars, a histogram) into a
 * detached element and disposes of it: the first report's charts then run on ECharts code the JS engine
 * has already compiled. The page calls it while idle, before any file comes (app.js): the first chart of a
 * report took 49–73 ms to draw, the next ones 8–28 ms (scripts/bench's file, Chromium here).
 */
export function warmUpCharts() {
  const labels = Array.from({ length: 12 }, (_, i) => `2024-W${String(i + 1).padStart(2, '0')}`);
  const values = labels.map((_, i) => 40 + ((i * 7) % 13));
  const instance = echarts.init(document.createElement('div'), null, { renderer: 'svg', width: 640, height: 320 });
  try {
    for (const option of [
      trendOption({ labels, values, name: 'Tickets', unitSuffix: '' }),
      barOption({ categories: ['email', 'chat', 'phone'], values: [3, 2, 1], name: 'Tickets', unitSuffix: '' }),
      stackedOption({ categories: labels, parts: [{ name: 'a', values }, { name: 'b', values }] }),
      histogramOption({ labels, counts: values, name: 'Tickets' }),
    ]) {
      instance.setOption(option, { notMerge: true });
    }
  } finally {
    instance.dispose();
  }
}

/**
 * A chart living in `container` (with its legend in a list just before it); keeps its last option for
 * exports and re-renders on resize.
 */
export class Chart {
  constructor(container) {
    this.container = container;
    this.legend = el('ul', { class: 'legend', hidden: true });
    container.before(this.legend);
    this.instance = echarts.init(container, null, { renderer: 'svg' });
    this.option = null;
    // A ResizeObserver reports every element once when it starts observing, and resize() lays out and
    // redraws the whole chart: without this check each chart was drawn twice when the report first showed
    // (resize() of the four Support charts: 146 ms of main thread in a Chromium trace of scripts/bench
    // --first-kpis's 10 MB export, on a loaded machine). Only a real change of size redraws.
    this.drawnSize = this.containerSize();
    this.observer = new ResizeObserver(() => {
      const size = this.containerSize();
      if (size === this.drawnSize) return;
      this.drawnSize = size;
      this.instance.resize();
    });
    this.observer.observe(container);
  }

  containerSize() {
    return `${this.container.clientWidth}x${this.container.clientHeight}`;
  }

  set(option) {
    this.option = option;
    this.instance.setOption(option, { notMerge: true });
    const items = legendOf(option);
    this.legend.hidden = items.length === 0;
    clear(this.legend).append(...items.map(({ name, color }) => {
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = color; // CSSOM, not a style attribute: allowed by the page's CSP
      return el('li', {}, swatch, name);
    }));
  }

  /** PNG data URL at twice the screen resolution, on the page's background colour: the SVG, rasterised. */
  png() {
    return svgToPng(this.svg(), this.size());
  }

  size() {
    return { width: this.container.clientWidth || 800, height: this.container.clientHeight || 400 };
  }

  /** The same chart rendered to an SVG document (server-side style rendering, no DOM needed). */
  svg() {
    const colors = palette();
    const items = legendOf(this.option ?? {});
    const offscreen = echarts.init(null, null, { renderer: 'svg', ssr: true, ...this.size() });
    const grid = this.option?.grid ?? {};
    offscreen.setOption({ ...this.option, backgroundColor: colors.background, ...(items.length ? { grid: { ...grid, top: (grid.top ?? 28) + 20 } } : {}) });
    const text = offscreen.renderToSVGString();
    offscreen.dispose();
    return items.length ? text.replace(/<\/svg>\s*$/, `${legendSvg(items, colors)}</svg>`) : text;
  }

  dispose() {
    this.observer.disconnect();
    this.instance.dispose();
  }
}

/**
 * Resolves to a PNG data URL of an SVG document drawn at twice `width` × `height`. The SVG goes in as a
 * data: URL (allowed by the page's img-src), which leaves the canvas readable (not tainted).
 */
export async function svgToPng(svg, { width, height }) {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * 2;
  canvas.height = height * 2;
  canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}
